using System.Diagnostics;
using System.Security.Cryptography;
using ModelAudit.Analysis;
using ModelAudit.Analysis.Attribution;
using ModelAudit.Analysis.Information;
using ModelAudit.Audit.Data;
using ModelAudit.Audit.Gates;
using ModelAudit.Audit.Model;
using ModelAudit.Audit.Spec;
using ModelAudit.Audit.Steps;
using ModelAudit.Audit.Streaming;
using ModelAudit.Onnx;

namespace ModelAudit.Audit.Running;

/// <summary>
/// Runs an audit: loads the model and data, resolves layers, checks that every gate's selector matches a
/// layer (before any analysis), streams the samples through the model once (reducing every chunk's maps as it
/// goes), runs each configured step on the reductions, then evaluates the gates. A sharded run streams only its
/// slice and writes it as a <see cref="ShardPart"/>; <see cref="Merge"/> joins the parts and finishes.
/// </summary>
public sealed class AuditRunner(AuditSpec spec, IAuditProgress progress, string toolVersion)
{
    /// <summary>Runs the audit.</summary>
    /// <param name="baseline">The baseline to compare with, or null.</param>
    /// <param name="cancellationToken">Stops between chunks of work.</param>
    /// <exception cref="AuditSpecException">A layer entry or gate selector matches nothing in the model.</exception>
    /// <exception cref="OnnxModelException">The model cannot be loaded.</exception>
    public AuditReport Run(BaselineReport? baseline, CancellationToken cancellationToken = default)
    {
        var timings = new List<KeyValuePair<string, double>>();
        var total = Stopwatch.StartNew();
        var loaded = Load(timings, cancellationToken);
        var reductions = Stream(loaded, 0, loaded.Samples, timings, cancellationToken);
        return Finish(loaded, reductions, baseline, timings, total, cancellationToken);
    }

    /// <summary>Streams shard <paramref name="shard"/> of the samples and returns its part (written by <see cref="ShardPart.Write"/>).</summary>
    public ShardPart RunShard(ShardSelector shard, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(shard);
        var timings = new List<KeyValuePair<string, double>>();
        var loaded = Load(timings, cancellationToken);
        var (first, count) = shard.Range(loaded.Samples, loaded.Layout.SamplesPerChunk);
        var reductions = Stream(loaded, first, count, timings, cancellationToken);
        return new ShardPart(loaded.Identity(shard, first), reductions);
    }

    /// <summary>Checks that <paramref name="parts"/> come from this spec, model, data and tool and cover every sample once, then finishes the audit.</summary>
    /// <exception cref="ModelInputException">A part does not belong, is missing or overlaps another (the message names it).</exception>
    public AuditReport Merge(IReadOnlyList<ShardPart> parts, BaselineReport? baseline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var timings = new List<KeyValuePair<string, double>>();
        var total = Stopwatch.StartNew();
        var loaded = Load(timings, cancellationToken);
        var watch = Stopwatch.StartNew();
        var reductions = ShardPart.Join(parts, loaded.Identity(new ShardSelector(1, 1), 0));
        timings.Add(new("merge", watch.Elapsed.TotalSeconds));
        return Finish(loaded, reductions, baseline, timings, total, cancellationToken);
    }

    /// <summary>The loaded model and data, the resolved layers and the stream's layout.</summary>
    private sealed record Loaded(OnnxSession Session, OnnxDifferentiableModel Model, AuditData Data, IReadOnlyList<AuditLayer> Layers,
        StreamLayout Layout, StreamConductance? Conductance, long RuntimeValuesPerSample, FileDigest ModelDigest, FileDigest DataDigest,
        FileDigest? LabelsDigest, string SpecSha256, string ToolVersion, int Seed)
    {
        public int Samples => Data.Inputs.Shape[0];

        public IReadOnlyList<string> LayerNames => [.. Layers.Select(l => l.Name)];

        public PartIdentity Identity(ShardSelector shard, int first) => new(ToolVersion, SpecSha256, ModelDigest.Sha256, DataDigest.Sha256,
            LabelsDigest?.Sha256, Seed, Samples, Layout.SamplesPerChunk, shard.Index, shard.Count, first, LayerNames);
    }

    private Loaded Load(List<KeyValuePair<string, double>> timings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var load = Stage("load", "Loading model and data", 3);
        var watch = Stopwatch.StartNew();
        var session = new OnnxSession(OnnxModel.Load(spec.Model));
        load.Advance();
        cancellationToken.ThrowIfCancellationRequested();
        var data = AuditData.Load(spec.Data, spec.Seed, session);
        // Shapes come from the data: models with free dimensions run at the data's width or length.
        var model = OnnxDifferentiableModel.ForData(session, data.Inputs);
        load.Advance();
        int n = data.Inputs.Shape[0];
        var candidates = LayerResolver.Candidates(session.Model, data.Inputs.Shape.ToArray());
        var layers = LayerResolver.Resolve(spec.Layers, candidates, spec.File);
        var layerNames = layers.Select(l => l.Name).ToList();
        foreach (var gate in spec.Gates)
            if (gate.Metric.Selector is not null && gate.Metric.Match(layerNames).Count == 0)
                throw new AuditSpecException(spec.File, gate.Mark,
                    $"the selector [{gate.Metric.Selector}] of '{gate.Metric}' matches none of the analysed layers: {string.Join(", ", layerNames)}");

        var planes = spec.Steps.Select(s => s.Options).OfType<PlanesStep.Options>().FirstOrDefault();
        var conductance = spec.Steps.Select(s => s.Options).OfType<ConductanceStep.Options>().FirstOrDefault();
        // A target axis/reduction sets what a class is for outputs beyond [N, C]: labels are checked against it.
        if (conductance is not null && data.Labels is { } labelValues)
            DataChecks.RequireClassIndices(labelValues, DataChecks.ClassCount(session, data.Inputs.Shape, conductance.OutputTarget), spec.Data.Labels ?? spec.Data.Inputs, "label");
        var layout = StreamLayout.Create(layers, model.SampleShape, planes?.RepresentationReduction, planes?.ProjectionDimensions ?? 0, spec.Seed,
            conductance is not null, n);
        var streamConductance = conductance is null ? null
            : new StreamConductance(new PathIntegralOptions(IntegrationRule.ParseMethod(conductance.Method), conductance.Steps, conductance.InternalBatchSize,
                conductance.OutputTarget, conductance.FromLayer), conductance.Baseline, conductance.Target == "predicted");
        long runtimeValues = candidates.Sum(c => c.Shape.Aggregate(1L, (a, d) => a * d)) + model.SampleShape.ElementCount;
        var loaded = new Loaded(session, model, data, layers, layout, streamConductance, runtimeValues,
            Digest(spec.Model), Digest(spec.Data.Inputs), spec.Data.Labels is { } l ? Digest(l) : null, Sha256(spec.File), toolVersion, spec.Seed);
        load.Advance();
        load.Complete();
        timings.Add(new("load", watch.Elapsed.TotalSeconds));
        cancellationToken.ThrowIfCancellationRequested();
        return loaded;
    }

    private SampleReductions Stream(Loaded loaded, int first, int count, List<KeyValuePair<string, double>> timings, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var title = loaded.Conductance is null ? "Forward pass" : "Forward pass and conductance";
        var stage = Stage("stream", title, count);
        var stream = new SampleStream(loaded.Model, loaded.Layout, loaded.Conductance, loaded.RuntimeValuesPerSample);
        var reductions = stream.Run(loaded.Data.Inputs, loaded.Data.Labels, first, count, stage, cancellationToken);
        stage.Complete();
        timings.Add(new("stream", watch.Elapsed.TotalSeconds));
        return reductions;
    }

    private AuditReport Finish(Loaded loaded, SampleReductions reductions, BaselineReport? baseline, List<KeyValuePair<string, double>> timings,
        Stopwatch total, CancellationToken cancellationToken)
    {
        var layerNames = loaded.LayerNames;
        var context = new AuditContext
        {
            Session = loaded.Session,
            Model = loaded.Model,
            Inputs = loaded.Data.Inputs,
            Labels = loaded.Data.Labels,
            Layers = layerNames,
            Reductions = reductions,
            Seed = spec.Seed,
        };
        if (loaded.Data.Labels is { } labels)
            context.SetMetric("accuracy", null, labels.Zip(reductions.Predicted).Count(p => p.First == p.Second) / (double)labels.Length);

        var watch = Stopwatch.StartNew();
        foreach (var step in spec.Steps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            watch.Restart();
            var stage = Stage(step.Step.Key, step.Step.Title, layerNames.Count);
            step.Step.Run(context, step.Options, stage, cancellationToken);
            stage.Complete();
            timings.Add(new(step.Step.Key, watch.Elapsed.TotalSeconds));
        }

        var gates = spec.Gates.Select(g => GateEvaluator.Evaluate(g, layerNames, context.Metrics, baseline)).ToList();
        var groupOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var g in context.Planes?.Groups ?? [])
            for (int i = g.First; i < g.First + g.Count; i++) groupOf[layerNames[i]] = g.Name;
        var (layers, scalars) = MetricComparison.Compare([.. loaded.Layers.Select(l => l with { Group = groupOf.GetValueOrDefault(l.Name) })],
            context.Metrics, baseline, spec.Gates);
        timings.Add(new("total", total.Elapsed.TotalSeconds));
        loaded.Data.Inputs.Dispose();
        return new AuditReport
        {
            ToolVersion = toolVersion,
            SpecFile = spec.File,
            ResolvedSpec = spec.Resolved(),
            Model = loaded.ModelDigest,
            Data = loaded.DataDigest,
            Labels = loaded.LabelsDigest,
            Seed = spec.Seed,
            Samples = loaded.Samples,
            LabelSource = loaded.Data.Labels is null ? "predicted" : "labels",
            Layers = layers,
            Scalars = scalars,
            Metrics = context.Metrics,
            Analyses = spec.Analyses,
            Planes = context.Planes?.Section,
            Efficiency = context.Efficiency,
            Conductance = context.ConductanceSection,
            Graph = context.Graph,
            Gates = gates,
            Warnings = context.Warnings,
            Baseline = baseline is null ? null : new FileDigest(baseline.Path, baseline.Sha256),
            BaselineHeatmap = baseline?.Heatmap,
            BaselineGraph = baseline?.Graph,
            Timings = timings,
        };
    }

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static FileDigest Digest(string path) => new(path, Sha256(path));

    private StepProgress Stage(string key, string title, int units) => new(progress, key, title, units);
}
