namespace ModelAudit.Audit.Metrics;

/// <summary>A metric family an analysis produces, e.g. <c>conductance.share</c> (per layer) or <c>dpi.violations</c>.</summary>
/// <param name="Family">Dotted name.</param>
/// <param name="PerLayer">True when it is reported per layer and needs a selector in gates.</param>
/// <param name="Description">One line for docs and messages.</param>
public sealed record MetricDefinition(string Family, bool PerLayer, string Description);
