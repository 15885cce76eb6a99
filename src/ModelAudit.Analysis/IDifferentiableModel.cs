using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;

namespace ModelAudit.Analysis;

/// <summary>
/// A model the analyses can run forward and differentiate: one input, one output (class scores [N, C], or any
/// output with an <see cref="ModelAudit.Tensors.Graph.OutputTarget"/>), and a compiled plan per batch size.
/// </summary>
public interface IDifferentiableModel
{
    /// <summary>Name of the input value.</summary>
    string InputName { get; }

    /// <summary>Name of the output value (class scores [N, classes], or what an output target reduces).</summary>
    string OutputName { get; }

    /// <summary>The input shape without the batch dimension.</summary>
    TensorShape SampleShape { get; }

    /// <summary>True when the input holds integer ids (token ids): path methods then start at an inner layer.</summary>
    bool InputIsIndices => false;

    /// <summary>The graph and executor for a batch of <paramref name="batchSize"/> samples; implementations cache them.</summary>
    ModelPlan GetPlan(int batchSize);
}

/// <summary>A graph compiled for one batch size, with its executor.</summary>
/// <param name="Graph">The graph.</param>
/// <param name="Executor">Its executor.</param>
public sealed record ModelPlan(ComputeGraph Graph, GraphExecutor Executor)
{
    /// <summary>The value id of <paramref name="name"/>, with an error naming the layer when it does not exist.</summary>
    public int Resolve(string name)
        => Graph.TryFind(name, out var id) ? id : throw new ModelInputException($"unknown layer '{name}': no tensor of that name in the model.");
}
