using ModelAudit.Estimators;

namespace ModelAudit.Analysis.Information;

/// <summary>A representation of one layer for the information plane, already reduced to a sample matrix.</summary>
/// <param name="Layer">Tensor name.</param>
/// <param name="Activations">T_l: one row per sample.</param>
/// <param name="Conductance">C_l: one row per sample, or null when conductance was not computed.</param>
/// <param name="Reduction">What was done to get from the tensor to the rows (e.g. <c>channel-mean</c>).</param>
public sealed record LayerRepresentation(string Layer, SampleMatrix Activations, SampleMatrix? Conductance, string Reduction);

/// <summary>An estimate with its spread (standard deviation over bootstrap resamples).</summary>
/// <param name="Value">Bits.</param>
/// <param name="Spread">Bits.</param>
public readonly record struct Estimate(double Value, double Spread);

/// <summary>One layer's coordinates in both planes, in bits.</summary>
/// <param name="Layer">Tensor name.</param>
/// <param name="Depth">Position in the depth order given (0 = nearest the input).</param>
/// <param name="Reduction">How the representation was reduced.</param>
/// <param name="Entropy">H(T_l).</param>
/// <param name="InputActivation">I(X;T_l).</param>
/// <param name="ActivationLabel">I(T_l;Y).</param>
/// <param name="InputConductance">I(X;C_l), when conductance was given.</param>
/// <param name="ConductanceLabel">I(C_l;Y), when conductance was given.</param>
public sealed record LayerInformation(
    string Layer, int Depth, string Reduction, double Entropy,
    Estimate InputActivation, Estimate ActivationLabel, Estimate? InputConductance, Estimate? ConductanceLabel);

/// <summary>Settings of the information-plane computation.</summary>
/// <param name="BootstrapResamples">Resamples for the spread (0 = no spread).</param>
/// <param name="Seed">Seed of the resampling.</param>
public sealed record InformationPlaneOptions(int BootstrapResamples = 10, int Seed = 0);

/// <summary>
/// The activation-based plane (I(X;T_l), I(T_l;Y)) and the conductance-based plane (I(X;C_l), I(C_l;Y))
/// of Dabounou &amp; Baazzouz, per layer, with one estimator for every term.
/// </summary>
public sealed class InformationPlane(IMutualInformationEstimator estimator, InformationPlaneOptions options)
{
    /// <summary>The estimator used for every term.</summary>
    public IMutualInformationEstimator Estimator => estimator;

    /// <summary>Computes every layer's coordinates. <paramref name="layers"/> are in depth order.</summary>
    public IReadOnlyList<LayerInformation> Compute(SampleMatrix input, int[] labels, IReadOnlyList<LayerRepresentation> layers)
    {
        var result = new List<LayerInformation>(layers.Count);
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            result.Add(new LayerInformation(
                layer.Layer, l, layer.Reduction,
                estimator.Entropy(layer.Activations),
                Pair(input, layer.Activations),
                WithLabels(layer.Activations, labels),
                layer.Conductance is null ? null : Pair(input, layer.Conductance),
                layer.Conductance is null ? null : WithLabels(layer.Conductance, labels)));
        }
        return result;
    }

    private Estimate Pair(SampleMatrix a, SampleMatrix b)
        => new(estimator.MutualInformation(a, b),
            options.BootstrapResamples < 2 ? 0 : BootstrapSpread.OfMutualInformation(estimator, a, b, options.BootstrapResamples, options.Seed));

    private Estimate WithLabels(SampleMatrix a, int[] labels)
        => new(estimator.MutualInformation(a, labels),
            options.BootstrapResamples < 2 ? 0 : BootstrapSpread.OfMutualInformation(estimator, a, labels, options.BootstrapResamples, options.Seed));
}
