namespace ModelAudit.Audit.Model;

/// <summary>
/// Everything an audit run found: the input of every report writer, and (as report.json) the baseline of the
/// next run. Everything except <see cref="Timings"/> is a function of spec, model, data and seed.
/// </summary>
public sealed class AuditReport
{
    /// <summary>Version of the report.json schema; bumped on incompatible changes.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Schema version of this report.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>Tool name and version.</summary>
    public required string ToolVersion { get; init; }

    /// <summary>The spec file as given.</summary>
    public required string SpecFile { get; init; }

    /// <summary>The spec as resolved: defaults filled in, paths absolute.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> ResolvedSpec { get; init; }

    /// <summary>The model file and its SHA-256.</summary>
    public required FileDigest Model { get; init; }

    /// <summary>The input data file and its SHA-256.</summary>
    public required FileDigest Data { get; init; }

    /// <summary>The labels file, or null (CSV column or predicted).</summary>
    public FileDigest? Labels { get; init; }

    /// <summary>Seed.</summary>
    public required int Seed { get; init; }

    /// <summary>Samples analysed.</summary>
    public required int Samples { get; init; }

    /// <summary><c>labels</c> or <c>predicted</c>.</summary>
    public required string LabelSource { get; init; }

    /// <summary>Analysed layers in depth order.</summary>
    public required IReadOnlyList<ReportLayer> Layers { get; init; }

    /// <summary>Every metric value by key (<c>FAMILY</c> or <c>FAMILY[LAYER]</c>), ordinal key order; null = undefined.</summary>
    public required IReadOnlyDictionary<string, double?> Metrics { get; init; }

    /// <summary>Analyses run, in order.</summary>
    public required IReadOnlyList<string> Analyses { get; init; }

    /// <summary>Information planes, when computed.</summary>
    public PlaneSection? Planes { get; init; }

    /// <summary>ITE per layer, when computed.</summary>
    public IReadOnlyList<EfficiencyRow>? Efficiency { get; init; }

    /// <summary>Conductance summary and heat map, when computed.</summary>
    public ConductanceSection? Conductance { get; init; }

    /// <summary>NIF flow graph, when computed.</summary>
    public GraphSection? Graph { get; init; }

    /// <summary>Gate results in spec order.</summary>
    public required IReadOnlyList<GateResult> Gates { get; init; }

    /// <summary>Warnings about the run's reliability (small samples, values at chance level), for every report.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The baseline used, or null when none was given.</summary>
    public FileDigest? Baseline { get; init; }

    /// <summary>Wall-clock seconds per stage; the only nondeterministic part of the report.</summary>
    public required IReadOnlyList<KeyValuePair<string, double>> Timings { get; init; }

    /// <summary>True when no error-severity gate failed.</summary>
    public bool Passed => Gates.All(g => g.Status != GateStatus.Fail);
}

/// <summary>A file and its SHA-256 (lower-case hex).</summary>
/// <param name="Path">Absolute path.</param>
/// <param name="Sha256">Digest.</param>
public sealed record FileDigest(string Path, string Sha256);

/// <summary>An analysed layer.</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="OpType">Op type of the node producing it.</param>
/// <param name="Shape">Shape per sample.</param>
/// <param name="Group">Layer group (early, intermediate, deep), or null when planes were not computed.</param>
public sealed record ReportLayer(string Name, string OpType, IReadOnlyList<int> Shape, string? Group);
