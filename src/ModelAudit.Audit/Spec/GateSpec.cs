using ModelAudit.Audit.Metrics;
using ModelAudit.Audit.Yaml;

namespace ModelAudit.Audit.Spec;

/// <summary>Which way a metric improves.</summary>
public enum MetricDirection
{
    /// <summary>Larger is better; worsening = baseline - value.</summary>
    HigherIsBetter,

    /// <summary>Smaller is better; worsening = value - baseline.</summary>
    LowerIsBetter,
}

/// <summary>What a failing gate does.</summary>
public enum GateSeverity
{
    /// <summary>Fails the audit (exit code 2).</summary>
    Error,

    /// <summary>Reported as a warning; the audit still passes.</summary>
    Warning,
}

/// <summary>Allowed worsening against the baseline, as positive amounts; either or both may be set.</summary>
/// <param name="Absolute">Largest allowed worsening in the metric's units.</param>
/// <param name="Relative">Largest allowed worsening as a fraction of |baseline|.</param>
public sealed record RegressionLimit(double? Absolute, double? Relative);

/// <summary>One gate of the spec.</summary>
/// <param name="Metric">The metric expression (family, selector, aggregate).</param>
/// <param name="Direction">Which way is better.</param>
/// <param name="Min">Inclusive lower bound.</param>
/// <param name="Max">Inclusive upper bound.</param>
/// <param name="MaxRegression">Allowed worsening against the baseline.</param>
/// <param name="Severity">Error or warning.</param>
/// <param name="Mark">Where the gate starts in the spec (annotations point here).</param>
public sealed record GateSpec(MetricExpression Metric, MetricDirection Direction, double? Min, double? Max, RegressionLimit? MaxRegression,
    GateSeverity Severity, SourceMark Mark)
{
    /// <summary>Spec spelling of the direction.</summary>
    public string DirectionName => Direction == MetricDirection.HigherIsBetter ? "higher_is_better" : "lower_is_better";

    /// <summary>Spec spelling of the severity.</summary>
    public string SeverityName => Severity == GateSeverity.Error ? "error" : "warning";
}
