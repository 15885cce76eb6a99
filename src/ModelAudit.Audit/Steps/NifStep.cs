using System.Globalization;
using ModelAudit.Audit.Metrics;
using ModelAudit.Audit.Model;
using ModelAudit.Audit.Running;
using ModelAudit.Audit.Spec;
using ModelAudit.Graphs;
using ModelAudit.Nif;

namespace ModelAudit.Audit.Steps;

/// <summary>
/// Neural information flow (ModelAudit.Nif): a flow graph over the input features, the units (channels) of
/// the chosen layers and the classes; betweenness, Louvain communities and dead/stifled units.
/// </summary>
internal sealed class NifStep : IAuditStep
{
    private static readonly string[] EstimatorNames = ["auto", "mine", "ksg", "binning"];

    internal sealed record Options(IReadOnlyList<string>? Layers, string Estimator, double Beta, double Resolution, int? Seed, string Length,
        int MaxMineEdges, int NullPairs) : IStepOptions
    {
        public IEnumerable<KeyValuePair<string, string>> Describe()
        {
            var inv = CultureInfo.InvariantCulture;
            yield return new("layers", Layers is null ? "(the audit's layers)" : "[" + string.Join(", ", Layers) + "]");
            yield return new("estimator", Estimator);
            yield return new("beta", Beta.ToString("R", inv));
            yield return new("resolution", Resolution.ToString("R", inv));
            yield return new("seed", Seed?.ToString(inv) ?? "(the spec's seed)");
            yield return new("length", Length);
            yield return new("max_mine_edges", MaxMineEdges.ToString(inv));
            yield return new("null_pairs", NullPairs.ToString(inv));
        }
    }

    public string Key => "nif";

    public string Title => "Neural information flow";

    public IStepOptions Parse(SpecMapping options, IReadOnlyCollection<string> configured)
    {
        var layers = options.Sequence("layers")?.Select((n, i) => options.ScalarText(n, $"analyses.nif.layers[{i}]")).ToList();
        double beta = options.Double("beta", OptionRanges.Weight) ?? 0;
        double resolution = options.Double("resolution", OptionRanges.Resolution) ?? 1;
        var parsed = new Options(layers, options.Enum("estimator", EstimatorNames) ?? "auto", beta, resolution, options.Int("seed", OptionRanges.Seed),
            options.Enum("length", "inverse", "neglog") ?? "inverse", options.Int(OptionRanges.MaxMineEdges), options.Int(OptionRanges.NullPairs));
        options.Finish();
        return parsed;
    }

    public IReadOnlyList<MetricDefinition> Produces(IStepOptions options, IReadOnlyCollection<string> configured) =>
    [
        new("nif.dead_units", false, "units of the chosen layers with no information flow in or out above the noise floor (dead or stifled)"),
        new("nif.modularity", false, "modularity of the Louvain partition of the flow graph"),
        new("nif.communities", false, "number of Louvain communities"),
    ];

    public void Run(AuditContext context, IStepOptions options, StepProgress progress, CancellationToken cancellationToken)
    {
        var o = (Options)options;
        var nifOptions = new NifOptions
        {
            Layers = o.Layers ?? context.Layers,
            Estimator = o.Estimator switch { "mine" => FlowEstimator.Mine, "ksg" => FlowEstimator.Ksg, "binning" => FlowEstimator.Binning, _ => FlowEstimator.Auto },
            Beta = o.Beta,
            Resolution = o.Resolution,
            Seed = o.Seed ?? context.Seed,
            Length = o.Length == "neglog" ? EdgeLength.NegativeLogNormalized : EdgeLength.InverseWeight,
            MaxMineEdges = o.MaxMineEdges,
            NullPairs = o.NullPairs,
            // The audit gates on the flow graph; the attribution comparison and pruning check belong to the nif command.
            CompareAttributions = false,
        };
        int[]? labels = context.Labels?.Select(v => (int)v).ToArray();
        var result = NifAnalysis.Run(context.Session, context.Inputs.ToArray(), context.Inputs.Shape[0], labels, nifOptions, cancellationToken);
        context.SetMetric("nif.dead_units", null, result.DeadUnits.Count);
        context.SetMetric("nif.modularity", null, result.Modularity);
        context.SetMetric("nif.communities", null, result.CommunityCount);
        context.Graph = new GraphSection(
            [.. result.Nodes.Select(n => new GraphNode(n.Id, n.Layer, n.Label, n.Betweenness, n.Community))],
            [.. result.Edges.Select(e => new GraphEdge(e.From, e.To, e.Flow))],
            [.. result.Attribution.Select(row => (IReadOnlyList<double>)[.. row])]);
        progress.Advance(context.Layers.Count);
    }
}
