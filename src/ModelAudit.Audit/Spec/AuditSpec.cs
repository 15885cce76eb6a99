using ModelAudit.Audit.Running;
using ModelAudit.Audit.Yaml;

namespace ModelAudit.Audit.Spec;

/// <summary>A loaded, validated audit spec. Paths are absolute (resolved against the spec's folder).</summary>
public sealed class AuditSpec
{
    internal AuditSpec(string file, string model, int seed, DataSpec data, LayerSelection layers,
        IReadOnlyList<ConfiguredStep> steps, IReadOnlyList<GateSpec> gates, string? baseline, OutputSpec outputs)
    {
        File = file;
        Model = model;
        Seed = seed;
        Data = data;
        Layers = layers;
        Steps = steps;
        Gates = gates;
        Baseline = baseline;
        Outputs = outputs;
    }

    /// <summary>The spec file as given (used in diagnostics and annotations).</summary>
    public string File { get; }

    /// <summary>The ONNX model.</summary>
    public string Model { get; }

    /// <summary>Seed of sampling, projections and resampling.</summary>
    public int Seed { get; }

    /// <summary>Where the samples and labels come from.</summary>
    public DataSpec Data { get; }

    /// <summary>Which layers are analysed.</summary>
    public LayerSelection Layers { get; }

    /// <summary>The analyses in run order, with their parsed options.</summary>
    internal IReadOnlyList<ConfiguredStep> Steps { get; }

    /// <summary>Keys of the configured analyses in run order.</summary>
    public IReadOnlyList<string> Analyses => [.. Steps.Select(s => s.Step.Key)];

    /// <summary>The gates, in file order.</summary>
    public IReadOnlyList<GateSpec> Gates { get; }

    /// <summary>The baseline report.json, or null.</summary>
    public string? Baseline { get; }

    /// <summary>Which report files to write, and where.</summary>
    public OutputSpec Outputs { get; }

    /// <summary>The spec as resolved (defaults filled in, paths absolute), for the report.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Resolved()
    {
        var items = new List<KeyValuePair<string, string>>
        {
            new("model", Model),
            new("seed", Seed.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        items.AddRange(Data.Describe());
        items.Add(new("layers", Layers.Describe()));
        foreach (var step in Steps)
            foreach (var (k, v) in step.Options.Describe()) items.Add(new($"analyses.{step.Step.Key}.{k}", v));
        items.Add(new("baseline", Baseline ?? "(none)"));
        return items;
    }
}

/// <summary>Preprocessing applied to the inputs, in this order: x * scale, then (x - mean[c]) / std[c] over channel axis 1.</summary>
/// <param name="Scale">Multiplier.</param>
/// <param name="Mean">Per channel, or one value for all, or empty.</param>
/// <param name="Std">Per channel, or one value for all, or empty.</param>
public sealed record Preprocessing(double Scale, IReadOnlyList<double> Mean, IReadOnlyList<double> Std);

/// <summary>The data section.</summary>
/// <param name="Inputs">The .npy, .npz or .csv file.</param>
/// <param name="NpzKey">Array inside an .npz (null: the first).</param>
/// <param name="Labels">A .npy file of class indices, or null for CSV label columns and <c>predicted</c>.</param>
/// <param name="LabelColumn">CSV column holding the labels.</param>
/// <param name="PredictedLabels">True when Y is the model's own prediction.</param>
/// <param name="CsvHeader">Whether the CSV has a header row.</param>
/// <param name="Samples">How many samples (null: all).</param>
/// <param name="Preprocessing">Scale and normalisation.</param>
public sealed record DataSpec(string Inputs, string? NpzKey, string? Labels, string? LabelColumn, bool PredictedLabels, bool CsvHeader,
    int? Samples, Preprocessing Preprocessing)
{
    /// <summary>The fewest samples the configured analyses need (e.g. KSG's neighbours + 1), checked at load.</summary>
    public IReadOnlyList<SampleRequirement> Requirements { get; init; } = [];

    internal IEnumerable<KeyValuePair<string, string>> Describe()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        yield return new("data.inputs", Inputs);
        if (NpzKey is not null) yield return new("data.key", NpzKey);
        yield return new("data.labels", PredictedLabels ? "predicted" : Labels ?? "column " + LabelColumn);
        yield return new("data.samples", Samples?.ToString(inv) ?? "all");
        yield return new("data.preprocessing.scale", Preprocessing.Scale.ToString("R", inv));
        yield return new("data.preprocessing.mean", "[" + string.Join(", ", Preprocessing.Mean.Select(m => m.ToString("R", inv))) + "]");
        yield return new("data.preprocessing.std", "[" + string.Join(", ", Preprocessing.Std.Select(m => m.ToString("R", inv))) + "]");
    }
}

/// <summary>Which layers: <c>auto</c> or a list of exact tensor names, globs and <c>op:TYPE</c> entries.</summary>
/// <param name="Auto">True for <c>auto</c>.</param>
/// <param name="Entries">The list entries with their marks.</param>
public sealed record LayerSelection(bool Auto, IReadOnlyList<LayerEntry> Entries)
{
    internal string Describe() => Auto ? "auto" : "[" + string.Join(", ", Entries.Select(e => e.Pattern)) + "]";
}

/// <summary>One entry of <c>layers:</c>.</summary>
/// <param name="Pattern">Tensor name, glob (<c>*</c>, <c>?</c>) or <c>op:Relu</c>.</param>
/// <param name="Mark">Position in the spec.</param>
public sealed record LayerEntry(string Pattern, SourceMark Mark);

/// <summary>Which report files are written.</summary>
/// <param name="Directory">Output folder (the CLI's <c>--out</c> overrides it).</param>
/// <param name="Html">report.html.</param>
/// <param name="Markdown">summary.md.</param>
/// <param name="JUnit">junit.xml.</param>
public sealed record OutputSpec(string Directory, bool Html, bool Markdown, bool JUnit);
