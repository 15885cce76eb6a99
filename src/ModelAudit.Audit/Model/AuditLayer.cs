namespace ModelAudit.Audit.Model;

/// <summary>
/// An analysed layer: what the model says about it (name, op type, shape), the group the planes put it in, and
/// each of its metrics beside the baseline's value.
/// </summary>
/// <param name="Name">Tensor name.</param>
/// <param name="OpType">Op type of the node producing it.</param>
/// <param name="Shape">Shape per sample.</param>
public sealed record AuditLayer(string Name, string OpType, IReadOnlyList<int> Shape)
{
    /// <summary>Layer group (early, intermediate, deep), or null when planes were not computed.</summary>
    public string? Group { get; init; }

    /// <summary>The layer's metrics by family (ordinal order), each with its baseline value.</summary>
    public IReadOnlyList<MetricReading> Metrics { get; init; } = [];

    /// <summary>The reading of one family, or null when the layer has none.</summary>
    public MetricReading? Metric(string family) => Metrics.FirstOrDefault(m => m.Family == family);
}

/// <summary>How a metric moved against the baseline.</summary>
public enum MetricStatus
{
    /// <summary>The run had no baseline.</summary>
    NoBaseline,

    /// <summary>The baseline has no value for it.</summary>
    New,

    /// <summary>Same value as the baseline (or undefined in both).</summary>
    Unchanged,

    /// <summary>Changed, and no gate says which direction is better.</summary>
    Changed,

    /// <summary>Moved in the better direction of a gate on the family.</summary>
    Improved,

    /// <summary>Moved in the worse direction, within every gate's allowed regression.</summary>
    Worsened,

    /// <summary>Moved in the worse direction by more than a gate's allowed regression (on this value alone).</summary>
    Regressed,
}

/// <summary>One metric value beside its baseline.</summary>
/// <param name="Family">Metric family, e.g. <c>ite.efficiency</c>.</param>
/// <param name="Value">This run's value (null when undefined).</param>
/// <param name="BaselineValue">The baseline's value (null without a baseline or value).</param>
/// <param name="Status">How it moved.</param>
public sealed record MetricReading(string Family, double? Value, double? BaselineValue, MetricStatus Status)
{
    /// <summary>value - baseline, when both exist.</summary>
    public double? Delta => Value is { } v && BaselineValue is { } b ? v - b : null;

    /// <summary>
    /// The worsening as a share of the tightest allowed regression of the gates on this metric (1 = at the limit),
    /// or null when no gate with <c>max_regression</c> covers it or it did not worsen. Ranks the "What changed" list.
    /// </summary>
    public double? AllowanceUsed { get; init; }

    /// <summary>|delta| / |baseline| (null when either is missing or the baseline is 0).</summary>
    public double? RelativeChange => Delta is { } d && BaselineValue is { } b && b != 0 ? Math.Abs(d) / Math.Abs(b) : null;

    /// <summary>Lower-case status name: <c>no_baseline</c>, <c>new</c>, <c>unchanged</c>, <c>changed</c>, <c>improved</c>, <c>worsened</c>, <c>regressed</c>.</summary>
    public string StatusName => Status == MetricStatus.NoBaseline ? "no_baseline" : Status.ToString().ToLowerInvariant();

    /// <summary>Parses <see cref="StatusName"/>.</summary>
    public static MetricStatus? ParseStatus(string text) => text switch
    {
        "no_baseline" => MetricStatus.NoBaseline,
        "new" => MetricStatus.New,
        "unchanged" => MetricStatus.Unchanged,
        "changed" => MetricStatus.Changed,
        "improved" => MetricStatus.Improved,
        "worsened" => MetricStatus.Worsened,
        "regressed" => MetricStatus.Regressed,
        _ => null,
    };
}
