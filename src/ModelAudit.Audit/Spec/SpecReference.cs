using System.Globalization;
using System.Reflection;
using System.Text;
using ModelAudit.Audit.Running;

namespace ModelAudit.Audit.Spec;

/// <summary>
/// The spec reference that <c>dotnet model-audit help spec</c> prints, for tool users who have no docs/ folder.
/// The analyses with their defaults, the metric families and the numeric ranges come from the definitions the
/// loader itself uses (the registered steps, their option parsers, <see cref="OptionRanges"/>), so they cannot
/// drift from what <c>run</c> accepts; the key descriptions are text kept beside the loader's key list.
/// </summary>
public static class SpecReference
{
    /// <summary>One line per top-level key, in <see cref="AuditSpecLoader.TopLevelKeys"/> order (a test keeps the two equal).</summary>
    internal static readonly (string Key, string Default, string Meaning)[] TopLevel =
    [
        ("model", "required", "The ONNX model. Input dimension 0 is the batch."),
        ("seed", "0", "Seed of sample selection, random projections and bootstrap resampling (any 32-bit integer)."),
        ("data", "required", "Where the samples and labels come from (below)."),
        ("layers", "auto", "auto = outputs of Relu and Add nodes; or a list of tensor names, globs (* and ?) and op:TYPE entries."),
        ("analyses", "required", "The analyses to run, each a mapping of options (below); at least one."),
        ("gates", "none", "A list of checks on metrics (below); a failing error gate exits 2."),
        ("baseline", "none", "A previous report.json to compare with (run --baseline overrides it)."),
        ("outputs", "dir: audit-out, all on", "Which reports to write and where (below)."),
    ];

    /// <summary>The keys of <c>data:</c> (a test loads a spec that uses each).</summary>
    internal static readonly (string Key, string Default, string Meaning)[] Data =
    [
        ("inputs", "required", ".npy, .npz or .csv samples shaped like the model input; CSV is RFC 4180 (quoted fields and headers)."),
        ("key", "first array", "The array inside an .npz."),
        ("labels", "required unless label_column", ".npy class indices, or 'predicted' (Y is the model's own prediction; no accuracy then)."),
        ("label_column", "none", "The CSV column (header name or index, negative from the end) holding the labels."),
        ("header", "true", "Whether the CSV has a header row."),
        ("samples", "all", "Audit this many samples (a seeded subset, kept in file order); at most the file's."),
        ("preprocessing", "none", "{ scale: S, mean: [..], std: [..] }: x * scale, then (x - mean[c]) / std[c] over axis 1."),
    ];

    /// <summary>The keys of one entry of <c>gates:</c>.</summary>
    internal static readonly (string Key, string Default, string Meaning)[] Gate =
    [
        ("metric", "required", "A metric below: scalar (accuracy), one layer (conductance.share[NAME]) or an aggregate (mean(ite.efficiency[*]))."),
        ("direction", "required", "higher_is_better or lower_is_better: which way is a regression."),
        ("min", "none", "Fails below this value."),
        ("max", "none", "Fails above this value."),
        ("max_regression", "none", "{ absolute: A } and/or { relative: R }: the most the metric may worsen against the baseline."),
        ("severity", "error", "error (the gate fails the run, exit 2) or warning (reported, exit 0)."),
    ];

    /// <summary>The keys of <c>outputs:</c>.</summary>
    internal static readonly (string Key, string Default, string Meaning)[] Outputs =
    [
        ("dir", "audit-out", "Folder for the reports, relative to the spec (run --out overrides it). report.json is always written."),
        ("html", "true", "report.html."),
        ("markdown", "true", "summary.md."),
        ("junit", "true", "junit.xml (one test case per gate)."),
    ];

    /// <summary>The reference page as plain text.</summary>
    public static string Text() => Text(AuditStepRegistry.Default);

    internal static string Text(AuditStepRegistry registry)
    {
        var inv = CultureInfo.InvariantCulture;
        var spec = ReferenceSpec(registry);
        var t = new StringBuilder();
        t.AppendLine("AUDIT SPEC REFERENCE (dotnet model-audit help spec)");
        t.AppendLine();
        t.AppendLine("A spec is one YAML document. Relative paths resolve against the spec's folder. Unknown keys, wrong");
        t.AppendLine("types and out-of-range numbers are errors at their line and column (exit 3) before anything runs.");
        t.AppendLine("Start one with: dotnet model-audit init MODEL.onnx --data SAMPLES.npy [--labels LABELS.npy]");
        Table(t, "TOP-LEVEL KEYS", TopLevel);
        Table(t, "DATA (data:)", Data);
        t.AppendLine();
        t.AppendLine("ANALYSES (analyses:), each option with its default; give {} for all defaults");
        foreach (var step in spec.Steps)
        {
            t.AppendLine(inv, $"  {step.Step.Key}: {step.Step.Title}");
            foreach (var (key, value) in step.Options.Describe()) t.AppendLine(inv, $"    {key}: {value}");
        }
        t.AppendLine();
        t.AppendLine("METRICS (for gates; per-layer families take [LAYER], or [GLOB] inside mean/min/max/sum(...))");
        foreach (var metric in AuditSpecLoader.Catalog(spec.Steps, spec.Data).Values.OrderBy(m => m.Family, StringComparer.Ordinal))
            t.AppendLine(inv, $"  {metric.Family,-28} {(metric.PerLayer ? "per layer" : "scalar"),-10} {metric.Description}");
        Table(t, "GATES (gates: a list of)", Gate);
        Table(t, "OUTPUTS (outputs:)", Outputs);
        t.AppendLine();
        t.AppendLine("NUMERIC RANGES (the spec's and the commands' options)");
        foreach (var (what, option) in Ranges())
            t.AppendLine(inv, $"  {option.Name,-22} {what,-26} {option.Range}{(option.Default is { } d ? ", default " + d : "")}");
        t.AppendLine();
        t.AppendLine("EXIT CODES: 0 passed, 2 a gate failed, 3 invalid input, 1 internal error, 130 cancelled.");
        return t.ToString();
    }

    private static void Table(StringBuilder t, string title, (string Key, string Default, string Meaning)[] rows)
    {
        t.AppendLine();
        t.AppendLine(title);
        foreach (var (key, def, meaning) in rows)
            t.AppendLine(CultureInfo.InvariantCulture, $"  {key,-15} {def,-29} {meaning}");
    }

    /// <summary>Every registered analysis with default options, parsed by the loader (no file is read).</summary>
    private static AuditSpec ReferenceSpec(AuditStepRegistry registry)
    {
        var yaml = new StringBuilder("model: model.onnx\ndata:\n  inputs: inputs.npy\n  labels: labels.npy\nanalyses:\n");
        foreach (var step in registry.Steps) yaml.Append("  ").Append(step.Key).Append(": {}\n");
        return AuditSpecLoader.Parse(yaml.ToString(), "reference.yaml", registry);
    }

    /// <summary>The fields of <see cref="OptionRanges"/>, named in words (<c>ConductanceSteps</c>: conductance steps).</summary>
    internal static IEnumerable<(string What, (string Name, string Range, string? Default) Option)> Ranges()
    {
        foreach (var field in typeof(OptionRanges).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var what = string.Concat(field.Name.Select((c, i) => i > 0 && char.IsUpper(c) ? " " + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
            switch (field.GetValue(null))
            {
                case IntOption o:
                    // A default outside the range is a sentinel (samples: 0 = all), not a value to show.
                    yield return (what, (o.Name, o.RangeText, o.Allows(o.Default) ? o.Default.ToString(CultureInfo.InvariantCulture) : null));
                    break;
                case DoubleOption o:
                    yield return (what, (o.Name, o.RangeText, null));
                    break;
            }
        }
    }
}
