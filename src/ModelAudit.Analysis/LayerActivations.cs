using ModelAudit.Analysis.Attribution;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;

namespace ModelAudit.Analysis;

/// <summary>One forward pass that keeps the named layers and the model's predicted classes.</summary>
public static class LayerActivations
{
    /// <summary>The activations of <paramref name="layers"/> (copies the caller owns) and the arg max of each output row.</summary>
    public static (Dictionary<string, Tensor> Activations, long[] Predicted) Run(IDifferentiableModel model, Tensor inputs, IReadOnlyList<string> layers)
    {
        var plan = model.GetPlan(inputs.Shape[0]);
        int inputId = plan.Resolve(model.InputName);
        int outputId = plan.Resolve(model.OutputName);
        var ids = layers.Select(plan.Resolve).ToArray();
        using var pass = plan.Executor.Forward(new Dictionary<int, Tensor> { [inputId] = inputs }, new ForwardOptions { Keep = [.. ids, outputId] });
        var logits = pass[outputId];
        var predicted = AttributionTarget.Predicted(logits.Span, logits.Length / logits.Shape[0]);
        var activations = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int l = 0; l < layers.Count; l++) activations[layers[l]] = pass[ids[l]].Clone();
        return (activations, predicted);
    }
}
