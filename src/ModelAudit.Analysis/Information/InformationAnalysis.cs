using ModelAudit.Analysis.Attribution;
using ModelAudit.Estimators;
using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;

namespace ModelAudit.Analysis.Information;

/// <summary>How a layer's tensor [N, ...] becomes a sample matrix for the estimators.</summary>
public enum RepresentationReduction
{
    /// <summary>Flatten each sample.</summary>
    None,

    /// <summary>Mean over the spatial positions of each channel ([N,C,H,W] to [N,C]); flatten for other ranks.</summary>
    ChannelMean,

    /// <summary>A fixed-seed Gaussian random projection to <see cref="InformationAnalysisOptions.ProjectionDimensions"/> columns (when wider).</summary>
    RandomProjection,
}

/// <summary>Settings of <see cref="InformationAnalysis"/>.</summary>
/// <param name="Conductance">Conductance settings (the conductance plane is skipped when null).</param>
/// <param name="Reduction">Reduction of layer tensors.</param>
/// <param name="ProjectionDimensions">Columns after a random projection.</param>
/// <param name="Plane">Spread settings.</param>
/// <param name="Weights">ITE weights.</param>
/// <param name="Seed">Seed of projections and resampling.</param>
public sealed record InformationAnalysisOptions(
    PathIntegralOptions? Conductance,
    RepresentationReduction Reduction = RepresentationReduction.ChannelMean,
    int ProjectionDimensions = 64,
    InformationPlaneOptions? Plane = null,
    EfficiencyWeights? Weights = null,
    int Seed = 0);

/// <summary>Everything the conductance-based information-plane analysis finds.</summary>
/// <param name="Estimator">Estimator name.</param>
/// <param name="LabelSource"><c>labels</c> or <c>predicted</c>.</param>
/// <param name="Layers">Plane coordinates per layer, depth order.</param>
/// <param name="Efficiency">ITE per layer.</param>
/// <param name="ConductanceShare">Per layer: its share of the total absolute conductance (sums to 1), empty without conductance.</param>
/// <param name="DpiFindings">Pairs where information rose with depth.</param>
/// <param name="Groups">Contiguous layer groups.</param>
/// <param name="CriticalLayers">Names of the layers with the highest conductance share, I(C;Y) and efficiency.</param>
/// <param name="Conductance">The conductance attributions (null when not computed).</param>
public sealed record InformationAnalysisResult(
    string Estimator, string LabelSource,
    IReadOnlyList<LayerInformation> Layers,
    IReadOnlyList<LayerEfficiency> Efficiency,
    IReadOnlyDictionary<string, double> ConductanceShare,
    IReadOnlyList<DpiFinding> DpiFindings,
    IReadOnlyList<LayerGroup> Groups,
    IReadOnlyDictionary<string, string> CriticalLayers,
    AttributionResult? Conductance);

/// <summary>
/// The conductance-based information-plane analysis of Dabounou &amp; Baazzouz over a model: activations
/// and (in one sweep) conductance of every layer, both information planes, ITE, DPI findings, layer
/// groups and critical layers.
/// </summary>
public sealed class InformationAnalysis(ModelExecution model, IMutualInformationEstimator estimator, InformationAnalysisOptions options)
{
    /// <summary>Runs the analysis. Without <paramref name="labels"/>, Y is the model's own prediction.</summary>
    /// <param name="inputs">[N, sample shape...].</param>
    /// <param name="labels">Class per sample, or null.</param>
    /// <param name="layers">Tensor names in depth order.</param>
    /// <param name="cancellationToken">Stops between chunks.</param>
    public InformationAnalysisResult Run(Tensor inputs, long[]? labels, IReadOnlyList<string> layers, CancellationToken cancellationToken = default)
    {
        var forward = model.Forward(inputs, layers, cancellationToken);
        var activations = forward.Layers.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var y = labels ?? forward.Predicted ?? throw new ModelInputException($"the model's output '{model.OutputName}' is not [N, classes]; give labels");
        var intLabels = y.Select(v => (int)v).ToArray();

        AttributionResult? conductance = null;
        if (options.Conductance is { } c)
            conductance = new LayerConductance(model, c).Compute(inputs, y, [0f], layers, cancellationToken);

        var input = Reduce(inputs, "input", out _);
        var representations = new List<LayerRepresentation>(layers.Count);
        var reducedActivations = new List<SampleMatrix>(layers.Count);
        foreach (var layer in layers)
        {
            var t = Reduce(activations[layer], layer, out var how);
            reducedActivations.Add(t);
            var cMatrix = conductance is null ? null : Reduce(conductance.Layers[layer].Values, layer, out _);
            representations.Add(new LayerRepresentation(layer, t, cMatrix, how));
        }
        foreach (var t in activations.Values) t.Dispose();

        var plane = new InformationPlane(estimator, options.Plane ?? new InformationPlaneOptions(Seed: options.Seed)).Compute(input, intLabels, representations);
        var efficiency = new TransformationEfficiency(estimator, options.Weights ?? new EfficiencyWeights())
            .Compute(input, intLabels, reducedActivations, layers, [.. plane.Select(p => (p.Entropy, p.ActivationLabel.Value))]);
        var share = conductance is null ? new Dictionary<string, double>() : ConductanceShares(conductance, layers);
        var groups = new LayerGroups();
        groups.Compute(plane.Select(p => (p.InputActivation.Value, p.ActivationLabel.Value)).ToList());

        var critical = new Dictionary<string, string>();
        if (share.Count > 0) critical["conductance_share"] = share.MaxBy(kv => kv.Value).Key;
        var withCy = plane.Where(p => p.ConductanceLabel is not null).ToList();
        if (withCy.Count > 0) critical["i_cy"] = withCy.MaxBy(p => p.ConductanceLabel!.Value.Value)!.Layer;
        var withE = efficiency.Where(e => e.Efficiency is not null).ToList();
        if (withE.Count > 0) critical["efficiency"] = withE.MaxBy(e => e.Efficiency!.Value)!.Layer;

        return new InformationAnalysisResult(estimator.Name, labels is null ? "predicted" : "labels", plane, efficiency, share,
            DataProcessingInequality.Find(plane), groups.Groups, critical, conductance);
    }

    /// <summary>Share of each layer in the total of mean per-sample sum |C_l| over layers.</summary>
    internal static Dictionary<string, double> ConductanceShares(AttributionResult conductance, IReadOnlyList<string> layers)
    {
        var magnitude = layers.ToDictionary(l => l, l =>
        {
            var values = conductance.Layers[l].Values.Span;
            double sum = 0;
            foreach (var v in values) sum += Math.Abs(v);
            return sum / conductance.Layers[l].Values.Shape[0];
        });
        double total = magnitude.Values.Sum();
        return magnitude.ToDictionary(kv => kv.Key, kv => total > 0 ? kv.Value / total : 0);
    }

    private SampleMatrix Reduce(Tensor tensor, string name, out string how)
        => LayerReduction.Reduce(tensor, name, options.Reduction, options.ProjectionDimensions, options.Seed, out how);
}
