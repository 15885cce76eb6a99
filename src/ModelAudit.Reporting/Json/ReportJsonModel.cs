using System.Text.Json;
using System.Text.Json.Serialization;
using ModelAudit.Nif.Json;

namespace ModelAudit.Reporting.Json;

// report.json as written (schema_version 2): records in key order, serialized by the source-generated
// ReportJsonContext. Numbers go through FiniteNumberConverter (ModelAudit.Nif.Json), the one place the NaN/infinity policy lives.

internal sealed record JsonReport(
    int SchemaVersion,
    string Tool,
    string Outcome,
    JsonSpec Spec,
    JsonDigest Model,
    JsonDigest Data,
    JsonDigest? Labels,
    int Seed,
    int Samples,
    string LabelSource,
    IReadOnlyList<string> Analyses,
    IReadOnlyList<JsonLayer> Layers,
    Dictionary<string, JsonReading> Scalars,
    IReadOnlyList<JsonGate> Gates,
    IReadOnlyList<string> Warnings,
    JsonDigest? Baseline,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonPlanes? Planes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<JsonEfficiency>? Efficiency,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonConductance? Conductance,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonGraph? Graph,
    Dictionary<string, double> Timings);

internal sealed record JsonSpec(string File, Dictionary<string, string> Resolved);

internal sealed record JsonDigest(string Path, [property: JsonPropertyName("sha256")] string Sha256);

internal sealed record JsonLayer(string Name, string OpType, IReadOnlyList<int> Shape, string? Group, Dictionary<string, JsonReading> Metrics);

internal sealed record JsonReading(double? Value, double? Baseline, double? Delta, string Status);

internal sealed record JsonRegression(double? Absolute, double? Relative);

internal sealed record JsonGate(string Metric, string Direction, double? Min, double? Max, JsonRegression? MaxRegression, string Severity, int Line, int Column,
    double? Value, double? BaselineValue, double? Delta, string Bound, string Status, string Message);

internal sealed record JsonEstimate(double Value, double Spread);

internal sealed record JsonPlanePoint(string Layer, string Reduction, double Entropy,
    [property: JsonPropertyName("i_xt")] JsonEstimate InputActivation,
    [property: JsonPropertyName("i_ty")] JsonEstimate ActivationLabel,
    [property: JsonPropertyName("i_xc")] JsonEstimate? InputConductance,
    [property: JsonPropertyName("i_cy")] JsonEstimate? ConductanceLabel,
    [property: JsonPropertyName("i_ty_null")] JsonEstimate? ActivationLabelNull,
    [property: JsonPropertyName("i_cy_null")] JsonEstimate? ConductanceLabelNull,
    [property: JsonPropertyName("i_ty_above_chance")] bool ActivationLabelAboveChance,
    [property: JsonPropertyName("i_cy_above_chance")] bool? ConductanceLabelAboveChance);

internal sealed record JsonGroup(string Name, IReadOnlyList<string> Layers);

internal sealed record JsonDpi(string Quantity, string Earlier, string Later, double EarlierValue, double LaterValue, double Margin);

internal sealed record JsonPlanes(string Estimator, IReadOnlyList<JsonPlanePoint> Points, IReadOnlyList<JsonGroup> Groups, IReadOnlyList<JsonDpi> DpiFindings);

internal sealed record JsonEfficiency(string Layer, double? Compression, double? Preservation, double? Usefulness, double? Efficiency, IReadOnlyList<string> Notes);

internal sealed record JsonConductance(string Method, int Steps, Dictionary<string, double> Share, Dictionary<string, double> MaxAbsDelta,
    Dictionary<string, IReadOnlyList<double>> Heatmap);

internal sealed record JsonGraphNode(int Id, int Layer, string Label, double Betweenness, int Community);

internal sealed record JsonGraphEdge(int From, int To, double Flow);

internal sealed record JsonGraph(IReadOnlyList<JsonGraphNode> Nodes, IReadOnlyList<JsonGraphEdge> Edges, IReadOnlyList<IReadOnlyList<double>> Attribution);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, Converters = [typeof(FiniteNumberConverter)])]
[JsonSerializable(typeof(JsonReport))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
