using System.Globalization;
using ModelAudit.Analysis.Information;
using ModelAudit.Audit.Metrics;
using ModelAudit.Audit.Model;
using ModelAudit.Audit.Running;
using ModelAudit.Audit.Spec;
using ModelAudit.Estimators;
using ModelAudit.Tensors;

namespace ModelAudit.Audit.Steps;

/// <summary>
/// The activation plane (I(X;T), I(T;Y)) and, after the conductance step, the conductance plane
/// (I(X;C), I(C;Y)) per layer with bootstrap spreads; then DPI findings and layer groups. One layer at a
/// time so progress moves per layer.
/// </summary>
internal sealed class PlanesStep : AuditStep<PlanesOutput>
{
    internal static readonly string[] Estimators = ["binning", "kde", "ksg", "gaussian", "renyi"];
    internal static readonly string[] Reductions = ["channel_mean", "none", "random_projection"];

    internal sealed record Options(string Estimator, IReadOnlyList<KeyValuePair<string, string>> EstimatorSettings, IMutualInformationEstimator Instance,
        string Reduction, int ProjectionDimensions, int Bootstrap, int NullShuffles) : IStepOptions, ISampleRequirement
    {
        /// <summary>KSG's neighbours need more samples than k; the Gaussian estimator two samples per class.</summary>
        public SampleRequirement? Samples { get; init; }

        public IEnumerable<SampleRequirement> Requirements(string file) => Samples is null ? [] : [Samples with { File = file }];

        /// <summary>The reduction as the analysis layer names it.</summary>
        public RepresentationReduction RepresentationReduction => Reduction switch
        {
            "channel_mean" => RepresentationReduction.ChannelMean,
            "random_projection" => RepresentationReduction.RandomProjection,
            _ => RepresentationReduction.None,
        };

        public IEnumerable<KeyValuePair<string, string>> Describe()
        {
            yield return new("estimator", Estimator);
            foreach (var (k, v) in EstimatorSettings) yield return new($"{Estimator}.{k}", v);
            yield return new("reduction", Reduction);
            yield return new("projection_dimensions", ProjectionDimensions.ToString(CultureInfo.InvariantCulture));
            yield return new("bootstrap", Bootstrap.ToString(CultureInfo.InvariantCulture));
            yield return new("null_shuffles", NullShuffles.ToString(CultureInfo.InvariantCulture));
        }
    }

    public override string Key => "planes";

    public override string Title => "Information planes";

    public override IStepOptions Parse(SpecMapping options, IReadOnlyCollection<string> configured)
    {
        var estimator = options.Enum("estimator", Estimators) ?? "renyi";
        var settings = new List<KeyValuePair<string, string>>();
        IMutualInformationEstimator instance = new GaussianEstimator();
        var inv = CultureInfo.InvariantCulture;
        foreach (var name in Estimators)
        {
            var section = options.Mapping(name);
            if (section is null) continue;
            if (name != estimator)
                throw options.Error(section.Node, $"'{options.Child(name)}' is given but the estimator is '{estimator}'; remove it or set estimator: {name}");
        }
        var own = options.Mapping(estimator);
        SampleRequirement? requirement = estimator == "gaussian" && options.Value("estimator") is { } e
            ? new SampleRequirement("", e.Mark, "'analyses.planes.estimator' is gaussian", 2, MinimumPerClass: 2)
            : null;
        switch (estimator)
        {
            case "binning":
            {
                int? bins = own?.Int("bins", OptionRanges.Bins);
                double? size = own?.Double("bin_size", OptionRanges.BinSize);
                var rangeNode = own?.Value("range");
                if (bins is not null && size is not null)
                    throw options.Error(own!.Node, "'planes.binning' takes bins or bin_size, not both");
                BinRange range = new BinRange.PerLayerMinMax();
                string rangeText = "per_layer";
                if (rangeNode is Yaml.YamlSequenceValue { Items.Count: 2 } pair)
                {
                    double lo = own!.ParseDouble(pair.Items[0], "planes.binning.range[0]"), hi = own.ParseDouble(pair.Items[1], "planes.binning.range[1]");
                    if (!(hi > lo)) throw options.Error(pair, "'planes.binning.range' needs low < high");
                    range = new BinRange.Fixed(lo, hi);
                    rangeText = $"[{lo.ToString("R", inv)}, {hi.ToString("R", inv)}]";
                }
                else if (rangeNode is not null) own!.EnumValue(rangeNode, "planes.binning.range", ["per_layer"]);
                BinWidth width = size is { } s ? new BinWidth.Size(s) : new BinWidth.Count(bins ?? 30);
                settings.Add(new(size is null ? "bins" : "bin_size", size?.ToString("R", inv) ?? (bins ?? 30).ToString(inv)));
                settings.Add(new("range", rangeText));
                instance = new BinningEstimator(new BinningOptions(range, width));
                break;
            }
            case "kde":
            {
                double variance = own?.Double("noise_variance", OptionRanges.NoiseVariance) ?? 0.1;
                settings.Add(new("noise_variance", variance.ToString("R", inv)));
                instance = new KdeEstimator(new KdeOptions(variance));
                break;
            }
            case "ksg":
            {
                int k = own?.Int("neighbors", OptionRanges.Neighbors) ?? OptionRanges.Neighbors.Default;
                if ((own?.Value("neighbors") ?? options.Value("estimator")) is { } kNode)
                    requirement = new SampleRequirement("", kNode.Mark, $"'analyses.planes.ksg.neighbors' is {k}", k + 1);
                settings.Add(new("neighbors", k.ToString(inv)));
                instance = new KsgEstimator(new KsgOptions(Neighbors: k));
                break;
            }
            case "renyi":
            {
                double alpha = own?.Double("alpha", OptionRanges.RenyiAlpha) ?? 1.01;
                double? sigma = own?.Double("sigma", OptionRanges.RenyiSigma);
                if (alpha == 1) throw options.Error(own!.Value("alpha")!, "'analyses.planes.renyi.alpha' must not be 1 (that is Shannon entropy; use another estimator)");
                settings.Add(new("alpha", alpha.ToString("R", inv)));
                settings.Add(new("sigma", sigma?.ToString("R", inv) ?? "auto"));
                instance = new RenyiEstimator(new RenyiOptions(alpha, sigma));
                break;
            }
        }
        own?.Finish();
        var parsed = new Options(estimator, settings, instance,
            options.Enum("reduction", Reductions) ?? "channel_mean",
            options.Int(OptionRanges.ProjectionDimensions),
            options.Int(OptionRanges.Bootstrap),
            options.Int(OptionRanges.NullShuffles)) { Samples = requirement };
        options.Finish();
        return parsed;
    }

    public override IReadOnlyList<MetricDefinition> Produces(IStepOptions options, IReadOnlyCollection<string> configured)
    {
        var metrics = new List<MetricDefinition>
        {
            new("plane.activation.entropy", true, "H(T) of the layer's activations, bits"),
            new("plane.activation.i_xt", true, "I(X;T) of the activations, bits"),
            new("plane.activation.i_ty", true, "I(T;Y) of the activations, bits"),
            new("plane.activation.i_ty_null", true, "I(T;Y) with shuffled labels (mean over the shuffles): the estimator's chance level, bits"),
            new("dpi.violations", false, "number of layer pairs where I(X;T) or I(T;Y) rose with depth beyond the spread"),
        };
        if (configured.Contains("conductance"))
        {
            metrics.Add(new("plane.conductance.i_xc", true, "I(X;C) of the layer conductance, bits"));
            metrics.Add(new("plane.conductance.i_cy", true, "I(C;Y) of the layer conductance, bits"));
            metrics.Add(new("plane.conductance.i_cy_null", true, "I(C;Y) with shuffled labels (mean over the shuffles), bits"));
        }
        return metrics;
    }

    public override PlanesOutput Run(AuditContext context, StepReads reads, IStepOptions options, StepProgress progress, CancellationToken cancellationToken)
    {
        var o = (Options)options;
        var labels = context.Y.Select(v => (int)v).ToArray();
        var reductions = context.Reductions;
        int n = reductions.Samples;
        var input = Matrix(reductions.Input!, n);
        context.Warnings.AddRange(SampleSizeWarnings(o, labels, reductions));
        var plane = new InformationPlane(o.Instance, new InformationPlaneOptions(o.Bootstrap, context.Seed, o.NullShuffles));
        var reduced = new List<SampleMatrix>(context.Layers.Count);
        var infos = new List<LayerInformation>(context.Layers.Count);
        for (int l = 0; l < context.Layers.Count; l++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var layer = reductions.Layers[l];
            var t = Matrix(layer.Activations!, n);
            reduced.Add(t);
            var c = layer.Conductance is { } rows ? Matrix(rows, n) : null;
            var info = plane.Compute(input, labels, [new LayerRepresentation(layer.Layer, t, c, layer.Activations!.How)], cancellationToken)[0] with { Depth = l };
            infos.Add(info);
            foreach (var note in info.Notes ?? []) context.Warnings.Add($"{layer.Layer}: {note}");
            context.SetMetric("plane.activation.entropy", layer.Layer, info.Entropy);
            context.SetMetric("plane.activation.i_xt", layer.Layer, info.InputActivation.Value);
            context.SetMetric("plane.activation.i_ty", layer.Layer, info.ActivationLabel.Value);
            if (info.ActivationLabelNull is { } tyNull) context.SetMetric("plane.activation.i_ty_null", layer.Layer, tyNull.Value);
            if (info.InputConductance is { } xc) context.SetMetric("plane.conductance.i_xc", layer.Layer, xc.Value);
            if (info.ConductanceLabel is { } cy) context.SetMetric("plane.conductance.i_cy", layer.Layer, cy.Value);
            if (info.ConductanceLabelNull is { } cyNull) context.SetMetric("plane.conductance.i_cy_null", layer.Layer, cyNull.Value);
            progress.Advance();
        }
        var dpi = DataProcessingInequality.Find(infos);
        context.SetMetric("dpi.violations", null, dpi.Count);
        var groups = new LayerGroups();
        groups.Compute([.. infos.Select(p => (p.InputActivation.Value, p.ActivationLabel.Value))]);
        var section = new PlaneSection(o.Instance.Name,
            [.. infos.Select(p => new PlanePoint(p.Layer, p.Reduction, p.Entropy, Value(p.InputActivation), Value(p.ActivationLabel),
                p.InputConductance is { } a ? Value(a) : null, p.ConductanceLabel is { } b ? Value(b) : null)
            {
                ActivationLabelNull = p.ActivationLabelNull is { } an ? Value(an) : null,
                ConductanceLabelNull = p.ConductanceLabelNull is { } cn ? Value(cn) : null,
                ActivationLabelAboveChance = InformationPlane.AboveChance(p.ActivationLabel, p.ActivationLabelNull),
                ConductanceLabelAboveChance = p.ConductanceLabel is { } cl ? InformationPlane.AboveChance(cl, p.ConductanceLabelNull) : null,
            })],
            [.. groups.Groups.Select(g => new GroupRow(g.Name, [.. context.Layers.Skip(g.First).Take(g.Count)]))],
            [.. dpi.Select(d => new DpiRow(d.Quantity == InformationQuantity.InputActivation ? "i_xt" : "i_ty", d.Earlier, d.Later, d.EarlierValue, d.LaterValue, d.Margin))]);
        int chance = infos.Count(p => !InformationPlane.AboveChance(p.ActivationLabel, p.ActivationLabelNull));
        if (chance > 0)
            context.Warnings.Add($"I(T;Y) of {chance} of {infos.Count} layers is not distinguishable from chance (within 3 standard deviations of the label-shuffle null); those values say nothing about the layers");
        return new PlanesOutput(section, groups.Groups, o.Instance, input, reduced);
    }

    /// <summary>The fewest samples per class for which the estimators' I(T;Y) is worth reading (docs/analysis.md states the rule).</summary>
    internal const int MinSamplesPerClass = 10;

    /// <summary>
    /// Small-sample warnings: fewer than <see cref="MinSamplesPerClass"/> samples per class on average or a class with fewer
    /// than 5, and for the Gaussian estimator a class with no more samples than the widest representation has columns
    /// (its covariance is then singular and only the shrinkage makes it invertible).
    /// </summary>
    internal static IEnumerable<string> SampleSizeWarnings(Options o, int[] labels, Streaming.SampleReductions reductions)
    {
        var counts = labels.GroupBy(v => v).Select(g => g.Count()).ToList();
        int n = labels.Length, classes = counts.Count, smallest = counts.Count == 0 ? 0 : counts.Min();
        if (n < MinSamplesPerClass * classes || smallest < 5)
            yield return $"small sample: {n} samples for {classes} classes (smallest class {smallest}); the {o.Estimator} estimates of I(T;Y) are biased upwards at this size: " +
                $"use at least {MinSamplesPerClass * classes} samples and 5 per class, and read I(T;Y) against its label-shuffle null";
        int widest = reductions.Layers.Select(l => l.Activations?.Width ?? 0).DefaultIfEmpty(0).Max();
        if (o.Estimator == "gaussian" && smallest <= widest)
            yield return $"gaussian estimator: the smallest class has {smallest} samples but representations have up to {widest} columns; its class covariances are singular without shrinkage";
    }

    private static SampleMatrix Matrix(Streaming.ReducedRows rows, int n) => new(rows.Values, n, rows.Width);

    private static PlaneValue Value(Estimate e) => new(e.Value, e.Spread);
}
