using System.Collections.Concurrent;
using ModelAudit.Onnx;
using ModelAudit.Tensors;

namespace ModelAudit.Analysis;

/// <summary>An ONNX model as the analyses see it: its first input and first output, a plan per batch size.</summary>
public sealed class OnnxDifferentiableModel : IDifferentiableModel
{
    private readonly OnnxSession _session;
    private readonly ConcurrentDictionary<int, ModelPlan> _plans = new();

    /// <summary>Wraps a loaded model whose input has static dimensions after the batch dimension.</summary>
    /// <exception cref="ModelInputException">The model's input is not of that form.</exception>
    public OnnxDifferentiableModel(OnnxSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        _session = session;
        InputName = session.Input.Name;
        OutputName = session.Model.Outputs[0].Name;
        var dims = session.Input.Dims;
        if (dims is null || dims.Count < 1 || dims.Skip(1).Any(d => d is null))
            throw new ModelInputException($"{session.Model.Path}: input '{InputName}' needs static dimensions after the batch dimension, got {session.Input.FormatShape()}");
        SampleShape = new TensorShape([.. dims.Skip(1).Select(d => checked((int)d!.Value))]);
    }

    /// <inheritdoc/>
    public string InputName { get; }

    /// <inheritdoc/>
    public string OutputName { get; }

    /// <inheritdoc/>
    public TensorShape SampleShape { get; }

    /// <inheritdoc/>
    public ModelPlan GetPlan(int batchSize) => _plans.GetOrAdd(batchSize, n =>
    {
        var graph = _session.Model.BuildGraph(n);
        return new ModelPlan(graph, _session.ExecutorFor(graph));
    });
}
