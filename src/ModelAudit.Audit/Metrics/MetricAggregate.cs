namespace ModelAudit.Audit.Metrics;

/// <summary>How a selector that matches several layers is reduced to one value.</summary>
public enum MetricAggregate
{
    /// <summary>Smallest value.</summary>
    Min,

    /// <summary>Largest value.</summary>
    Max,

    /// <summary>Arithmetic mean.</summary>
    Mean,
}
