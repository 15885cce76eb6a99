using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ModelAudit.Audit.Gates;
using ModelAudit.Audit.Metrics;
using ModelAudit.Audit.Model;
using ModelAudit.Audit.Spec;
using ModelAudit.Audit.Yaml;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Reporting.Json;

/// <summary>A report.json read back: what baselines and <c>diff</c> need.</summary>
/// <param name="Baseline">Layers and metrics, for gates.</param>
/// <param name="Gates">The gates the report was produced with.</param>
/// <param name="SpecFile">The spec the report came from.</param>
/// <param name="SchemaVersion">Its schema version.</param>
public sealed record ReportDocument(BaselineReport Baseline, IReadOnlyList<GateSpec> Gates, string SpecFile, int SchemaVersion);

/// <summary>
/// Reads report.json files (the baseline format) strictly: a regular file of at most <see cref="MaxBytes"/>, valid
/// UTF-8, schema_version 1 (a flat <c>metrics</c> object) or 2 (metrics inside each layer), and every field it uses of the right JSON type (metrics are finite numbers
/// or null). Anything else is a <see cref="ReportFormatException"/> naming the file and the JSON path.
/// </summary>
public static class ReportJsonReader
{
    /// <summary>The largest report read (64 MiB); real reports are well under a megabyte.</summary>
    public const long MaxBytes = 64L << 20;

    /// <summary>The deepest JSON nesting accepted (a report nests four levels).</summary>
    private const int MaxDepth = 64;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads a report.</summary>
    /// <exception cref="ReportFormatException">Not a report.json of a supported schema version.</exception>
    public static ReportDocument Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var shown = path.Replace('\0', '?');
        var bytes = RegularFile.ReadAllBytes(path, MaxBytes, problem => new ReportFormatException(
            $"{shown}: {(problem == "file not found" ? "the report does not exist" : problem)}"));
        var full = Path.GetFullPath(path);
        try
        {
            StrictUtf8.GetCharCount(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new ReportFormatException($"{shown}: not a valid model-audit report.json: not valid UTF-8 (at byte {e.Index})");
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, byte {e.BytePositionInLine + 1}" : "";
            throw new ReportFormatException($"{shown}: not a valid model-audit report.json: not valid JSON{where}");
        }
        using (doc)
        {
            var root = new Node(shown, "$", doc.RootElement);
            root.Require(JsonValueKind.Object);
            if (!doc.RootElement.TryGetProperty("schema_version", out _))
                throw new ReportFormatException($"{shown}: not a model-audit report.json (no schema_version)");
            var version = root["schema_version"];
            int schema = version.Int();
            if (schema is not (1 or Audit.Model.AuditReport.CurrentSchemaVersion))
                throw new ReportFormatException($"{shown}: schema_version {schema} is not supported (this tool reads 1 and {Audit.Model.AuditReport.CurrentSchemaVersion})");
            var layerNodes = root["layers"].Items().ToList();
            var layers = layerNodes.Select(l => l["name"].String()).ToList();
            var metrics = new MetricTable();
            if (schema == 1)
            {
                // Version 1 kept every value in one object keyed FAMILY or FAMILY[LAYER]; only this reader still splits those keys.
                foreach (var (key, value) in root["metrics"].Properties())
                {
                    int open = key.IndexOf('[', StringComparison.Ordinal);
                    if (open >= 0 && (open == 0 || key.Length < open + 3 || key[^1] != ']')) throw value.Invalid("expected a key FAMILY or FAMILY[LAYER]");
                    metrics.Set(open < 0 ? key : key[..open], open < 0 ? null : key[(open + 1)..^1], value.NumberOrNull());
                }
            }
            else
            {
                foreach (var (family, reading) in root["scalars"].Properties()) metrics.Set(family, null, reading["value"].NumberOrNull());
                for (int i = 0; i < layerNodes.Count; i++)
                    foreach (var (family, reading) in layerNodes[i]["metrics"].Properties()) metrics.Set(family, layers[i], reading["value"].NumberOrNull());
            }
            var gates = root["gates"].Items().Select(Gate).ToList();
            var spec = root["spec"]["file"].String();
            var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            IReadOnlyList<KeyValuePair<string, IReadOnlyList<double>>>? heatmap = null;
            if (doc.RootElement.TryGetProperty("conductance", out var conductance) && conductance.ValueKind == JsonValueKind.Object
                && conductance.TryGetProperty("heatmap", out _))
                heatmap = [.. root["conductance"]["heatmap"].Properties()
                    .Select(p => KeyValuePair.Create(p.Name, (IReadOnlyList<double>)[.. p.Value.Items().Select(v => v.NumberOrNull() ?? double.NaN)]))];
            GraphSection? graph = null;
            if (doc.RootElement.TryGetProperty("graph", out var graphElement) && graphElement.ValueKind == JsonValueKind.Object)
                graph = Graph(root["graph"]);
            return new ReportDocument(new BaselineReport(full, sha, layers, metrics) { Heatmap = heatmap, Graph = graph }, gates, spec, schema);
        }
    }

    /// <summary>The NIF graph section (schema 1 and 2 write it alike).</summary>
    private static GraphSection Graph(Node g)
        => new([.. g["nodes"].Items().Select(n => new GraphNode(n["id"].Int(), n["layer"].Int(), n["label"].String(), n["betweenness"].NumberOrNull() ?? double.NaN, n["community"].Int()))],
            [.. g["edges"].Items().Select(e => new GraphEdge(e["from"].Int(), e["to"].Int(), e["flow"].NumberOrNull() ?? double.NaN))],
            [.. g["attribution"].Items().Select(row => (IReadOnlyList<double>)[.. row.Items().Select(v => v.NumberOrNull() ?? double.NaN)])]);

    private static GateSpec Gate(Node g)
    {
        var metricNode = g["metric"];
        var metric = MetricExpression.TryParse(metricNode.String(), out var error) ?? throw metricNode.Invalid(error);
        var regressionNode = g["max_regression"];
        RegressionLimit? regression = regressionNode.Kind == JsonValueKind.Null
            ? null
            : new RegressionLimit(regressionNode.OptionalNumber("absolute"), regressionNode.OptionalNumber("relative"));
        var direction = g["direction"].OneOf("higher_is_better", "lower_is_better");
        var severity = g["severity"].OneOf("error", "warning");
        return new GateSpec(metric,
            direction == "higher_is_better" ? MetricDirection.HigherIsBetter : MetricDirection.LowerIsBetter,
            g.OptionalNumber("min"), g.OptionalNumber("max"), regression,
            severity == "warning" ? GateSeverity.Warning : GateSeverity.Error,
            new SourceMark(g["line"].Int(), g["column"].Int()));
    }

    /// <summary>A JSON value with its path (<c>$.gates[2].min</c>) for errors.</summary>
    private readonly record struct Node(string File, string Path, JsonElement Element)
    {
        public JsonValueKind Kind => Element.ValueKind;

        public ReportFormatException Invalid(string problem) => new($"{File}: not a valid model-audit report.json: {Path}: {Clip(problem)}");

        public void Require(JsonValueKind kind)
        {
            if (Kind != kind) throw Invalid($"expected {Name(kind)}, got {Name(Kind)}");
        }

        public Node this[string key]
        {
            get
            {
                Require(JsonValueKind.Object);
                var path = Path + "." + key;
                return Element.TryGetProperty(key, out var value) ? new Node(File, path, value) : throw new ReportFormatException($"{File}: not a valid model-audit report.json: {path}: missing");
            }
        }

        public IEnumerable<Node> Items()
        {
            Require(JsonValueKind.Array);
            int i = 0;
            foreach (var item in Element.EnumerateArray()) yield return new Node(File, $"{Path}[{i++}]", item);
        }

        public IEnumerable<(string Name, Node Value)> Properties()
        {
            Require(JsonValueKind.Object);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in Element.EnumerateObject())
            {
                var node = new Node(File, $"{Path}[\"{Clip(p.Name)}\"]", p.Value);
                if (!seen.Add(p.Name)) throw node.Invalid("duplicate key");
                yield return (p.Name, node);
            }
        }

        public string String()
        {
            Require(JsonValueKind.String);
            return Element.GetString()!;
        }

        public string OneOf(params string[] allowed)
        {
            var text = String();
            return allowed.Contains(text, StringComparer.Ordinal) ? text : throw Invalid($"expected one of {string.Join(", ", allowed)}, got '{Clip(text)}'");
        }

        public int Int()
        {
            if (Kind != JsonValueKind.Number || !Element.TryGetInt32(out int value)) throw Invalid($"expected a 32-bit integer, got {Describe()}");
            return value;
        }

        /// <summary>A finite number, or null for JSON null; strings ("NaN", "0.5") and out-of-range numbers (1e400) are errors.</summary>
        public double? NumberOrNull()
        {
            if (Kind == JsonValueKind.Null) return null;
            if (Kind != JsonValueKind.Number || !Element.TryGetDouble(out double value) || !double.IsFinite(value))
                throw Invalid($"expected a finite number or null, got {Describe()}");
            return value;
        }

        /// <summary>A property that may be absent or null, else a finite number.</summary>
        public double? OptionalNumber(string key)
        {
            Require(JsonValueKind.Object);
            return Element.TryGetProperty(key, out var value) ? new Node(File, Path + "." + key, value).NumberOrNull() : null;
        }

        private string Describe() => Kind switch
        {
            JsonValueKind.String => $"the string \"{Clip(Element.GetString()!)}\"",
            JsonValueKind.Number => $"the number {Clip(Element.GetRawText())}",
            _ => Name(Kind),
        };

        private static string Name(JsonValueKind kind) => kind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Null => "null",
            _ => "nothing",
        };

        private static string Clip(string text)
        {
            var cut = text.Length > 80 ? text[..80] + "..." : text;
            return string.Concat(cut.Select(c => char.IsControl(c) ? '?' : c));
        }
    }
}

/// <summary>A file is not a readable report.json.</summary>
public sealed class ReportFormatException(string message) : Exception(message);
