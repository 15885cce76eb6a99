using System.Text.Encodings.Web;
using System.Text.Json;
using ModelAudit.Audit.Model;

namespace ModelAudit.Reporting.Json;

/// <summary>
/// Writes report.json (schema_version 2) through the source-generated <see cref="ReportJsonContext"/>: snake_case
/// keys in a fixed order, doubles in shortest round-trip form (NaN and infinities as null), every layer with its
/// metrics beside the baseline's, and everything nondeterministic (wall-clock seconds) in the one <c>timings</c>
/// object at the end.
/// </summary>
public static class ReportJsonWriter
{
    private static readonly ReportJsonContext Context = new(new JsonSerializerOptions(ReportJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>Writes the report as indented UTF-8 JSON.</summary>
    public static void Write(Stream stream, AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(report);
        JsonSerializer.Serialize(stream, ToJson(report), Context.JsonReport);
    }

    internal static JsonReport ToJson(AuditReport report) => new(
        report.SchemaVersion,
        report.ToolVersion,
        report.Passed ? "passed" : "failed",
        new JsonSpec(report.SpecFile, Ordered(report.ResolvedSpec)),
        Digest(report.Model)!,
        Digest(report.Data)!,
        Digest(report.Labels),
        report.Seed,
        report.Samples,
        report.LabelSource,
        report.Analyses,
        [.. report.Layers.Select(l => new JsonLayer(l.Name, l.OpType, l.Shape, l.Group, Readings(l.Metrics)))],
        Readings(report.Scalars),
        [.. report.Gates.Select(Gate)],
        report.Warnings,
        Digest(report.Baseline),
        report.Planes is { } p ? Planes(p) : null,
        report.Efficiency?.Select(r => new JsonEfficiency(r.Layer, r.Compression, r.Preservation, r.Usefulness, r.Efficiency, r.Notes)).ToList(),
        report.Conductance is { } c ? new JsonConductance(c.Method, c.Steps, Ordered(c.Share), Ordered(c.MaxAbsDelta), Ordered(c.Heatmap)) : null,
        report.Graph is { } g
            ? new JsonGraph([.. g.Nodes.Select(n => new JsonGraphNode(n.Id, n.Layer, n.Label, n.Betweenness, n.Community))],
                [.. g.Edges.Select(e => new JsonGraphEdge(e.From, e.To, e.Flow))], g.Attribution)
            : null,
        Ordered(report.Timings.Select(t => KeyValuePair.Create(t.Key + "_seconds", Math.Round(t.Value, 3)))));

    private static Dictionary<string, JsonReading> Readings(IEnumerable<MetricReading> readings)
        => Ordered(readings.Select(r => KeyValuePair.Create(r.Family, new JsonReading(r.Value, r.BaselineValue, r.Delta, r.StatusName))));

    private static JsonGate Gate(GateResult g) => new(g.Gate.Metric.ToString(), g.Gate.DirectionName, g.Gate.Min, g.Gate.Max,
        g.Gate.MaxRegression is { } r ? new JsonRegression(r.Absolute, r.Relative) : null, g.Gate.SeverityName, g.Gate.Mark.Line, g.Gate.Mark.Column,
        g.Value, g.BaselineValue, g.Delta, g.BoundText, g.StatusName, g.Message);

    private static JsonPlanes Planes(PlaneSection planes) => new(planes.Estimator,
        [.. planes.Points.Select(p => new JsonPlanePoint(p.Layer, p.Reduction, p.Entropy, Estimate(p.InputActivation)!, Estimate(p.ActivationLabel)!,
            Estimate(p.InputConductance), Estimate(p.ConductanceLabel), Estimate(p.ActivationLabelNull), Estimate(p.ConductanceLabelNull),
            p.ActivationLabelAboveChance, p.ConductanceLabelAboveChance))],
        [.. planes.Groups.Select(g => new JsonGroup(g.Name, g.Layers))],
        [.. planes.Dpi.Select(d => new JsonDpi(d.Quantity, d.Earlier, d.Later, d.EarlierValue, d.LaterValue, d.Margin))]);

    private static JsonEstimate? Estimate(PlaneValue? v) => v is null ? null : new JsonEstimate(v.Value, v.Spread);

    private static JsonDigest? Digest(FileDigest? d) => d is null ? null : new JsonDigest(d.Path, d.Sha256);

    /// <summary>A JSON object in the given key order (a Dictionary enumerates in insertion order when nothing is removed).</summary>
    private static Dictionary<string, T> Ordered<T>(IEnumerable<KeyValuePair<string, T>> pairs)
    {
        var result = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var (k, v) in pairs) result[k] = v;
        return result;
    }
}
