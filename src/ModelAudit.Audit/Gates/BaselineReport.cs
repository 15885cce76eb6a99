using ModelAudit.Audit.Model;

namespace ModelAudit.Audit.Gates;

/// <summary>What gates and the comparison need from a baseline report.json.</summary>
/// <param name="Path">The file.</param>
/// <param name="Sha256">Its digest.</param>
/// <param name="Layers">Its analysed layers (selectors resolve against these).</param>
/// <param name="Metrics">Its metric values.</param>
public sealed record BaselineReport(string Path, string Sha256, IReadOnlyList<string> Layers, MetricTable Metrics)
{
    /// <summary>The baseline's conductance heat map (mean |conductance| per unit and layer), when it has one: the report's difference map.</summary>
    public IReadOnlyList<KeyValuePair<string, IReadOnlyList<double>>>? Heatmap { get; init; }

    /// <summary>The baseline's NIF graph (nodes and attribution), when it has one: baseline rings on the graph and the attribution difference map.</summary>
    public GraphSection? Graph { get; init; }
}
