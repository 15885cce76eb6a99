using System.Collections.Concurrent;
using ModelAudit.Onnx;
using ModelAudit.Tensors;

namespace ModelAudit.Analysis;

/// <summary>An ONNX model as the analyses see it: its first input and first output, a plan per batch size.</summary>
public sealed class OnnxDifferentiableModel : IDifferentiableModel
{
    private readonly OnnxSession _session;
    private readonly ConcurrentDictionary<int, ModelPlan> _plans = new();

    /// <summary>
    /// Wraps a loaded model. The sample shape comes from the data (<paramref name="sampleShape"/>, the input's shape
    /// without the batch), so models with free dimensions (a dynamic width or sequence length) run at the data's
    /// shape; without it, the input must declare every dimension after the batch.
    /// </summary>
    /// <exception cref="ModelInputException">No sample shape and a free dimension, or a sample shape that does not fit the declared input.</exception>
    public OnnxDifferentiableModel(OnnxSession session, TensorShape? sampleShape = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        _session = session;
        InputName = session.Input.Name;
        OutputName = session.Model.Outputs[0].Name;
        InputIsIndices = session.HasIntegerInput;
        var dims = session.Input.Dims;
        if (sampleShape is not null)
        {
            if (dims is not null && (dims.Count != sampleShape.Rank + 1 || dims.Skip(1).Select((d, i) => d is not long v || v == sampleShape[i]).Any(ok => !ok)))
                throw new ModelInputException($"{session.Model.Path}: samples of shape {sampleShape} do not fit input '{InputName}' {session.Input.FormatShape()}");
            SampleShape = sampleShape;
            return;
        }
        if (dims is null || dims.Count < 1 || dims.Skip(1).Any(d => d is null))
            throw new ModelInputException($"{session.Model.Path}: input '{InputName}' needs static dimensions after the batch dimension, got {session.Input.FormatShape()}");
        SampleShape = new TensorShape([.. dims.Skip(1).Select(d => checked((int)d!.Value))]);
    }

    /// <summary>Wraps a model for samples shaped like <paramref name="inputs"/> (its shape without the batch).</summary>
    public static OnnxDifferentiableModel ForData(OnnxSession session, Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return new OnnxDifferentiableModel(session, new TensorShape(inputs.Shape.Dims[1..].ToArray()));
    }

    /// <inheritdoc/>
    public bool InputIsIndices { get; }

    /// <inheritdoc/>
    public string InputName { get; }

    /// <inheritdoc/>
    public string OutputName { get; }

    /// <inheritdoc/>
    public TensorShape SampleShape { get; }

    /// <inheritdoc/>
    public ModelPlan GetPlan(int batchSize) => _plans.GetOrAdd(batchSize, n =>
    {
        var graph = _session.Model.BuildGraph(new Dictionary<string, int[]> { [InputName] = [n, .. SampleShape.Dims] });
        return new ModelPlan(graph, _session.ExecutorFor(graph));
    });
}
