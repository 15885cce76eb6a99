namespace ModelAudit.Audit.Model;

/// <summary>
/// Everything an audit run found: the input of every report writer, and (as report.json) the baseline of the
/// next run. Everything except <see cref="Timings"/> is a function of spec, model, data and seed.
/// </summary>
public sealed class AuditReport
{
    /// <summary>
    /// Version of the report.json schema; bumped on incompatible changes. 2: per-layer metrics inside each layer with
    /// baseline, delta and status (version 1 had one flat <c>metrics</c> object; its baselines are still read).
    /// </summary>
    public const int CurrentSchemaVersion = 2;

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

    /// <summary>Analysed layers in depth order, each with its metrics beside the baseline's.</summary>
    public required IReadOnlyList<AuditLayer> Layers { get; init; }

    /// <summary>Scalar metrics (accuracy, dpi.violations, ...) beside the baseline's, ordinal family order.</summary>
    public required IReadOnlyList<MetricReading> Scalars { get; init; }

    /// <summary>Every metric value of the run (what gates evaluate).</summary>
    public required MetricTable Metrics { get; init; }

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

    /// <summary>The baseline's conductance heat map, for the difference map (not written to report.json; it is in the baseline).</summary>
    public IReadOnlyList<KeyValuePair<string, IReadOnlyList<double>>>? BaselineHeatmap { get; init; }

    /// <summary>The baseline's NIF graph, for its marks on the graph and the attribution difference map (not written to report.json).</summary>
    public GraphSection? BaselineGraph { get; init; }

    /// <summary>Wall-clock seconds per stage; the only nondeterministic part of the report.</summary>
    public required IReadOnlyList<KeyValuePair<string, double>> Timings { get; init; }

    /// <summary>
    /// Every reading that moved against the baseline, most alarming first: readings over a gate's allowed regression,
    /// then by the share of the allowance used, then by relative change. Empty without a baseline.
    /// </summary>
    public IReadOnlyList<MetricChange> Changes() =>
        [.. Scalars.Select(r => new MetricChange(null, r)).Concat(Layers.SelectMany(l => l.Metrics.Select(r => new MetricChange(l.Name, r))))
            .Where(c => c.Reading.Status is MetricStatus.Changed or MetricStatus.Improved or MetricStatus.Worsened or MetricStatus.Regressed)
            .OrderByDescending(c => c.Reading.Status == MetricStatus.Regressed)
            .ThenByDescending(c => c.Reading.AllowanceUsed ?? -1)
            .ThenByDescending(c => c.Reading.RelativeChange ?? (c.Reading.Delta is { } d ? Math.Abs(d) : 0))];

    /// <summary>True when no error-severity gate failed.</summary>
    public bool Passed => Gates.All(g => g.Status != GateStatus.Fail);
}

/// <summary>A file and its SHA-256 (lower-case hex).</summary>
/// <param name="Path">Absolute path.</param>
/// <param name="Sha256">Digest.</param>
public sealed record FileDigest(string Path, string Sha256);


/// <summary>One moved metric for the "What changed" list.</summary>
/// <param name="Layer">The layer, or null for a scalar.</param>
/// <param name="Reading">Value, baseline, delta and status.</param>
public sealed record MetricChange(string? Layer, MetricReading Reading)
{
    /// <summary>How gates name it: <c>FAMILY</c> or <c>FAMILY[LAYER]</c> (display only).</summary>
    public string Name => Layer is null ? Reading.Family : $"{Reading.Family}[{Layer}]";
}
