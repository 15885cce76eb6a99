using ModelAudit.Analysis;
using ModelAudit.Analysis.Information;
using ModelAudit.Audit.Model;
using ModelAudit.Estimators;
using ModelAudit.Onnx;
using ModelAudit.Tensors;

namespace ModelAudit.Audit.Running;

/// <summary>
/// The immutable inputs every step shares (the model, the data, the layers, the streamed reductions, the seed) and
/// the run's sinks (metrics, warnings). What a step computes for later steps is its typed output, held by
/// <see cref="StepOutputs"/>, not a property here.
/// </summary>
internal sealed class AuditContext
{
    public required OnnxSession Session { get; init; }

    public required ModelExecution Model { get; init; }

    /// <summary>[N, sample shape...], preprocessed.</summary>
    public required Tensor Inputs { get; init; }

    /// <summary>True labels, or null when the spec says <c>predicted</c>.</summary>
    public long[]? Labels { get; init; }

    /// <summary>The model's predicted class per sample.</summary>
    public long[] Predicted => Reductions.Predicted;

    /// <summary>Y of the analyses: the labels, or the prediction.</summary>
    public long[] Y => Labels ?? Predicted;

    /// <summary>Analysed layers in depth order.</summary>
    public required IReadOnlyList<string> Layers { get; init; }

    /// <summary>The streamed pass: per-sample reduced activations and conductance, predictions.</summary>
    public required Streaming.SampleReductions Reductions { get; init; }

    public required int Seed { get; init; }

    /// <summary>Every metric value the steps produced.</summary>
    public MetricTable Metrics { get; } = new();

    /// <summary>Warnings for every report (small samples, estimator limits).</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>Records a metric value; NaN and infinities are stored as undefined.</summary>
    public void SetMetric(string family, string? layer, double? value) => Metrics.Set(family, layer, value);
}

/// <summary>What the planes step produces: the report section, the layer groups, and what ITE reuses.</summary>
/// <param name="Section">The information-plane section.</param>
/// <param name="Groups">Contiguous layer groups by index range.</param>
/// <param name="Estimator">The estimator the planes used.</param>
/// <param name="ReducedInput">The reduced input representation.</param>
/// <param name="ReducedActivations">The reduced representation of each layer, in depth order.</param>
internal sealed record PlanesOutput(PlaneSection Section, IReadOnlyList<LayerGroup> Groups, IMutualInformationEstimator Estimator, SampleMatrix ReducedInput,
    IReadOnlyList<SampleMatrix> ReducedActivations);
