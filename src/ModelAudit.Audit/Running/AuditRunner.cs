using System.Diagnostics;
using System.Security.Cryptography;
using ModelAudit.Analysis;
using ModelAudit.Analysis.Attribution;
using ModelAudit.Audit.Data;
using ModelAudit.Audit.Gates;
using ModelAudit.Audit.Model;
using ModelAudit.Audit.Spec;
using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;

namespace ModelAudit.Audit.Running;

/// <summary>
/// Runs an audit: loads the model and data, resolves layers, checks that every gate's selector matches a
/// layer (before any analysis), runs the forward pass and each configured step, then evaluates the gates.
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
        ArgumentNullException.ThrowIfNull(spec);
        var timings = new List<KeyValuePair<string, double>>();
        var total = Stopwatch.StartNew();

        var load = Stage("load", "Loading model and data", 3);
        var watch = Stopwatch.StartNew();
        var session = new OnnxSession(OnnxModel.Load(spec.Model));
        load.Advance();
        var model = new OnnxDifferentiableModel(session);
        var data = AuditData.Load(spec.Data, spec.Seed, session);
        load.Advance();
        int n = data.Inputs.Shape[0];
        var candidates = LayerResolver.Candidates(session.Model, n);
        var layers = LayerResolver.Resolve(spec.Layers, candidates, spec.File);
        var layerNames = layers.Select(l => l.Name).ToList();
        foreach (var gate in spec.Gates)
            if (gate.Metric.Selector is not null && gate.Metric.Match(layerNames).Count == 0)
                throw new AuditSpecException(spec.File, gate.Mark,
                    $"the selector [{gate.Metric.Selector}] of '{gate.Metric}' matches none of the analysed layers: {string.Join(", ", layerNames)}");
        load.Advance();
        load.Complete();
        timings.Add(new("load", watch.Elapsed.TotalSeconds));
        cancellationToken.ThrowIfCancellationRequested();

        var forward = Stage("forward", "Forward pass", 1);
        watch.Restart();
        var (activations, predicted) = LayerActivations.Run(model, data.Inputs, layerNames);
        forward.Advance();
        forward.Complete();
        timings.Add(new("forward", watch.Elapsed.TotalSeconds));

        var context = new AuditContext
        {
            Session = session,
            Model = model,
            Inputs = data.Inputs,
            Labels = data.Labels,
            Predicted = predicted,
            Layers = layerNames,
            Activations = activations,
            Seed = spec.Seed,
        };
        if (data.Labels is { } labels)
            context.SetMetric("accuracy", null, labels.Zip(predicted).Count(p => p.First == p.Second) / (double)labels.Length);

        foreach (var step in spec.Steps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            watch.Restart();
            int units = step.Step.Key == "conductance" ? n : layerNames.Count;
            var stage = Stage(step.Step.Key, step.Step.Title, units);
            step.Step.Run(context, step.Options, stage, cancellationToken);
            stage.Complete();
            timings.Add(new(step.Step.Key, watch.Elapsed.TotalSeconds));
        }

        var gates = spec.Gates.Select(g => GateEvaluator.Evaluate(g, layerNames, context.Metrics, baseline)).ToList();
        var groupOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var g in context.Groups ?? [])
            for (int i = g.First; i < g.First + g.Count; i++) groupOf[layerNames[i]] = g.Name;
        timings.Add(new("total", total.Elapsed.TotalSeconds));

        foreach (var t in activations.Values) t.Dispose();
        foreach (var t in context.Conductance?.Values ?? []) t.Dispose();
        return new AuditReport
        {
            ToolVersion = toolVersion,
            SpecFile = spec.File,
            ResolvedSpec = spec.Resolved(),
            Model = Digest(spec.Model),
            Data = Digest(spec.Data.Inputs),
            Labels = spec.Data.Labels is { } l ? Digest(l) : null,
            Seed = spec.Seed,
            Samples = n,
            LabelSource = data.Labels is null ? "predicted" : "labels",
            Layers = [.. layers.Select(l => new ReportLayer(l.Name, l.OpType, l.Shape, groupOf.GetValueOrDefault(l.Name)))],
            Metrics = new SortedDictionary<string, double?>(context.Metrics.ToDictionary(), StringComparer.Ordinal),
            Analyses = spec.Analyses,
            Planes = context.Planes,
            Efficiency = context.Efficiency,
            Conductance = context.ConductanceSection,
            Graph = context.Graph,
            Gates = gates,
            Baseline = baseline is null ? null : new FileDigest(baseline.Path, baseline.Sha256),
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
