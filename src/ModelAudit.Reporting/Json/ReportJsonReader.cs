using System.Text.Json;
using ModelAudit.Audit.Gates;
using ModelAudit.Audit.Metrics;
using ModelAudit.Audit.Running;
using ModelAudit.Audit.Spec;
using ModelAudit.Audit.Yaml;

namespace ModelAudit.Reporting.Json;

/// <summary>A report.json read back: what baselines and <c>diff</c> need.</summary>
/// <param name="Baseline">Layers and metrics, for gates.</param>
/// <param name="Gates">The gates the report was produced with.</param>
/// <param name="SpecFile">The spec the report came from.</param>
/// <param name="SchemaVersion">Its schema version.</param>
public sealed record ReportDocument(BaselineReport Baseline, IReadOnlyList<GateSpec> Gates, string SpecFile, int SchemaVersion);

/// <summary>Reads report.json files (the baseline format).</summary>
public static class ReportJsonReader
{
    /// <summary>Reads a report.</summary>
    /// <exception cref="ReportFormatException">Not a report.json of a supported schema version.</exception>
    public static ReportDocument Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new ReportFormatException($"{path}: the report does not exist");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(full));
            var root = doc.RootElement;
            if (!root.TryGetProperty("schema_version", out var version) || version.ValueKind != JsonValueKind.Number)
                throw new ReportFormatException($"{path}: not a model-audit report.json (no schema_version)");
            int schema = version.GetInt32();
            if (schema != Audit.Model.AuditReport.CurrentSchemaVersion)
                throw new ReportFormatException($"{path}: schema_version {schema} is not supported (this tool reads {Audit.Model.AuditReport.CurrentSchemaVersion})");
            var layers = root.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("name").GetString()!).ToList();
            var metrics = new Dictionary<string, double?>(StringComparer.Ordinal);
            foreach (var m in root.GetProperty("metrics").EnumerateObject())
                metrics[m.Name] = m.Value.ValueKind == JsonValueKind.Number ? m.Value.GetDouble() : null;
            var gates = root.GetProperty("gates").EnumerateArray().Select(Gate).ToList();
            var spec = root.GetProperty("spec").GetProperty("file").GetString()!;
            return new ReportDocument(new BaselineReport(full, AuditRunner.Sha256(full), layers, metrics), gates, spec, schema);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ReportFormatException($"{path}: not a valid model-audit report.json: {e.Message}");
        }
    }

    private static GateSpec Gate(JsonElement g)
    {
        var metric = MetricExpression.TryParse(g.GetProperty("metric").GetString()!, out var error) ?? throw new FormatException(error);
        RegressionLimit? regression = g.GetProperty("max_regression") is { ValueKind: JsonValueKind.Object } r
            ? new RegressionLimit(Number(r, "absolute"), Number(r, "relative"))
            : null;
        return new GateSpec(metric,
            g.GetProperty("direction").GetString() == "higher_is_better" ? MetricDirection.HigherIsBetter : MetricDirection.LowerIsBetter,
            Number(g, "min"), Number(g, "max"), regression,
            g.GetProperty("severity").GetString() == "warning" ? GateSeverity.Warning : GateSeverity.Error,
            new SourceMark(g.GetProperty("line").GetInt32(), g.GetProperty("column").GetInt32()));
    }

    private static double? Number(JsonElement e, string name)
        => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}

/// <summary>A file is not a readable report.json.</summary>
public sealed class ReportFormatException(string message) : Exception(message);
