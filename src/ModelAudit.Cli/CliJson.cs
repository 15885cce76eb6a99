using System.Text.Json.Serialization;
using ModelAudit.Analysis.Information;
using ModelAudit.Nif.Json;
using ModelAudit.Onnx;

namespace ModelAudit.Cli;

// The commands' JSON as written: records in key order, serialized by source-generated contexts with the one number
// policy (FiniteNumberConverter: NaN and infinities as null). analyze --json and attribute's summary.json use
// snake_case keys; inspect --json keeps the property names of OnnxModelReport as they always were.

/// <summary><c>analyze --json</c>.</summary>
internal sealed record AnalyzeJson(string Estimator, string LabelSource, IReadOnlyList<AnalyzeJsonLayer> Layers, IReadOnlyList<DpiFinding> DpiFindings,
    IReadOnlyList<LayerGroup> Groups, IReadOnlyDictionary<string, string> CriticalLayers);

/// <summary>One layer of <c>analyze --json</c>.</summary>
internal sealed record AnalyzeJsonLayer(string Layer, int Depth, string Reduction, double Entropy,
    [property: JsonPropertyName("i_xt")] Estimate InputActivation,
    [property: JsonPropertyName("i_ty")] Estimate ActivationLabel,
    [property: JsonPropertyName("i_xc")] Estimate? InputConductance,
    [property: JsonPropertyName("i_cy")] Estimate? ConductanceLabel,
    double? ConductanceShare,
    float? MaxAbsConductanceDelta,
    LayerEfficiency Ite);

/// <summary><c>summary.json</c> of <c>attribute</c>.</summary>
internal sealed record AttributeSummaryJson(string Method, string? Integration, int? Steps, string? Target, string? FromLayer, IReadOnlyList<float> TargetDifference,
    IReadOnlyDictionary<string, AttributeSummaryLayer> Layers);

/// <summary>One layer of <c>summary.json</c>.</summary>
internal sealed record AttributeSummaryLayer(int[] Shape, float? MaxAbsDelta, float[] ConvergenceDelta);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, Converters = [typeof(FiniteNumberConverter)])]
[JsonSerializable(typeof(AnalyzeJson))]
[JsonSerializable(typeof(AttributeSummaryJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext;

[JsonSourceGenerationOptions(WriteIndented = true, Converters = [typeof(FiniteNumberConverter)])]
[JsonSerializable(typeof(OnnxModelReport))]
internal sealed partial class InspectJsonContext : JsonSerializerContext;
