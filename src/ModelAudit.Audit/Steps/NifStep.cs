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
internal sealed class NifStep : AuditStep<GraphSection>
{
    private static readonly string[] EstimatorNames = ["auto", "mine", "ksg", "binning"];

    internal sealed record Options(IReadOnlyList<string>? Layers, string Estimator, double Beta, double Resolution, int? Seed, string Length,
        int MaxMineEdges, int NullPairs, int MaxUnits, int MaxEdges) : IStepOptions
    {
        public IEnumerable<KeyValuePair<string, string>> Describe()
        {
            var inv = CultureInfo.InvariantCulture;
            yield return new("layers", Layers is null ? $"(at most {DefaultLayerCount} of the audit's layers, evenly over depth)" : "[" + string.Join(", ", Layers) + "]");
            yield return new("estimator", Estimator);
            yield return new("beta", Beta.ToString("R", inv));
            yield return new("resolution", Resolution.ToString("R", inv));
            yield return new("seed", Seed?.ToString(inv) ?? "(the spec's seed)");
            yield return new("length", Length);
            yield return new("max_mine_edges", MaxMineEdges.ToString(inv));
            yield return new("null_pairs", NullPairs.ToString(inv));
            yield return new("max_units", MaxUnits == 0 ? "0 (every unit)" : MaxUnits.ToString(inv));
            yield return new("max_edges", MaxEdges.ToString(inv));
        }
    }

    /// <summary>Most of the audit's layers NIF takes when <c>analyses.nif.layers</c> is not given.</summary>
    internal const int DefaultLayerCount = 6;

    /// <summary>
    /// The default node layers: the audit's layers when there are at most <see cref="DefaultLayerCount"/>, else that many
    /// spread evenly over depth, the deepest always included. ResNet50's 65 Relu/Add outputs would need about 67,000
    /// edges even at 32 units each; six layers keep the flow graph over the whole depth at about 6,000 (docs/nif.md).
    /// </summary>
    internal static IReadOnlyList<string> DefaultLayers(IReadOnlyList<string> layers)
    {
        if (layers.Count <= DefaultLayerCount) return layers;
        return [.. Enumerable.Range(1, DefaultLayerCount).Select(i => layers[(int)((long)i * layers.Count / DefaultLayerCount) - 1])];
    }

    public override string Key => "nif";

    public override string Title => "Neural information flow";

    public override IStepOptions Parse(SpecMapping options, IReadOnlyCollection<string> configured)
    {
        var layers = options.Sequence("layers")?.Select((n, i) => options.ScalarText(n, $"analyses.nif.layers[{i}]")).ToList();
        double beta = options.Double("beta", OptionRanges.Weight) ?? 0;
        double resolution = options.Double("resolution", OptionRanges.Resolution) ?? 1;
        var parsed = new Options(layers, options.Enum("estimator", EstimatorNames) ?? "auto", beta, resolution, options.Int("seed", OptionRanges.Seed),
            options.Enum("length", "inverse", "neglog") ?? "inverse", options.Int(OptionRanges.MaxMineEdges), options.Int(OptionRanges.NullPairs),
            options.Int("max_units", min: 0) ?? NifOptions.DefaultMaxUnits, options.Int("max_edges", min: 1) ?? (int)NifOptions.DefaultMaxEdges);
        options.Finish();
        return parsed;
    }

    public override IReadOnlyList<MetricDefinition> Produces(IStepOptions options, IReadOnlyCollection<string> configured) =>
    [
        new("nif.dead_units", false, "units of the chosen layers with no information flow in or out above the noise floor (dead or stifled)"),
        new("nif.modularity", false, "modularity of the Louvain partition of the flow graph"),
        new("nif.communities", false, "number of Louvain communities"),
    ];

    public override GraphSection Run(AuditContext context, StepReads reads, IStepOptions options, StepProgress progress, CancellationToken cancellationToken)
    {
        var o = (Options)options;
        var nifOptions = new NifOptions
        {
            Layers = o.Layers ?? DefaultLayers(context.Layers),
            Estimator = o.Estimator switch { "mine" => FlowEstimator.Mine, "ksg" => FlowEstimator.Ksg, "binning" => FlowEstimator.Binning, _ => FlowEstimator.Auto },
            Beta = o.Beta,
            Resolution = o.Resolution,
            Seed = o.Seed ?? context.Seed,
            Length = o.Length == "neglog" ? EdgeLength.NegativeLogNormalized : EdgeLength.InverseWeight,
            MaxMineEdges = o.MaxMineEdges,
            NullPairs = o.NullPairs,
            MaxUnits = o.MaxUnits,
            MaxEdges = o.MaxEdges,
            // The audit gates on the flow graph; the attribution comparison and pruning check belong to the nif command.
            CompareAttributions = false,
        };
        int[]? labels = context.Labels?.Select(v => (int)v).ToArray();
        // The runner sized the stage in layers; NIF works in layer pairs (one more than its hidden layers), so
        // each finished pair advances the stage to its proportional share of that total.
        int units = context.Layers.Count, advanced = 0;
        void OnProgress(NifProgress p)
        {
            if (p.Stage != NifStage.Flows || p.PairCount == 0) return;
            int target = (int)((long)units * (p.PairIndex + 1) / p.PairCount);
            if (target <= advanced) return;
            progress.Advance(target - advanced);
            advanced = target;
        }
        var result = NifAnalysis.Run(context.Session, context.Inputs.ToArray(), context.Inputs.Shape[0], labels,
            nifOptions with { SampleShape = context.Inputs.Shape.Dims[1..].ToArray() }, cancellationToken, OnProgress);
        context.SetMetric("nif.dead_units", null, result.DeadUnits.Count);
        context.SetMetric("nif.modularity", null, result.Modularity);
        context.SetMetric("nif.communities", null, result.CommunityCount);
        if (advanced < units) progress.Advance(units - advanced);
        return new GraphSection(
            [.. result.Nodes.Select(n => new GraphNode(n.Id, n.Layer, n.Label, n.Betweenness, n.Community))],
            [.. result.Edges.Select(e => new GraphEdge(e.From, e.To, e.Flow))],
            [.. result.Attribution.Select(row => (IReadOnlyList<double>)[.. row])]);
    }
}
