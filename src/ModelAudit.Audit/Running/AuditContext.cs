using ModelAudit.Analysis;
using ModelAudit.Analysis.Information;
using ModelAudit.Audit.Model;
using ModelAudit.Estimators;
using ModelAudit.Onnx;
using ModelAudit.Tensors;

namespace ModelAudit.Audit.Running;

/// <summary>What the steps share: the model, the data, the layers, what earlier steps computed, and the metric sink.</summary>
internal sealed class AuditContext
{
    private readonly SortedDictionary<string, double?> _metrics = new(StringComparer.Ordinal);

    public required OnnxSession Session { get; init; }

    public required OnnxDifferentiableModel Model { get; init; }

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

    /// <summary>The planes step's estimator and reduced representations, for ITE.</summary>
    public IMutualInformationEstimator? Estimator { get; set; }

    public SampleMatrix? ReducedInput { get; set; }

    public IReadOnlyList<SampleMatrix>? ReducedActivations { get; set; }

    public PlaneSection? Planes { get; set; }

    public IReadOnlyList<LayerGroup>? Groups { get; set; }

    public IReadOnlyList<EfficiencyRow>? Efficiency { get; set; }

    public ConductanceSection? ConductanceSection { get; set; }

    public GraphSection? Graph { get; set; }

    public IReadOnlyDictionary<string, double?> Metrics => _metrics;

    /// <summary>Warnings for every report (small samples, estimator limits).</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>Records a metric value; NaN and infinities are stored as undefined.</summary>
    public void SetMetric(string family, string? layer, double? value)
        => _metrics[Audit.Metrics.MetricExpression.Key(family, layer)] = value is { } v && double.IsFinite(v) ? v : null;
}
