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
/// <param name="ActivationLabelNull">I(T_l;Y) with shuffled labels: mean and standard deviation over the shuffles (none when shuffles are off).</param>
/// <param name="ConductanceLabelNull">I(C_l;Y) with shuffled labels, likewise.</param>
/// <param name="Notes">Why a value is undefined (NaN), e.g. a class with one sample for the Gaussian estimator.</param>
public sealed record LayerInformation(
    string Layer, int Depth, string Reduction, double Entropy,
    Estimate InputActivation, Estimate ActivationLabel, Estimate? InputConductance, Estimate? ConductanceLabel,
    Estimate? ActivationLabelNull = null, Estimate? ConductanceLabelNull = null, IReadOnlyList<string>? Notes = null);

/// <summary>Settings of the information-plane computation.</summary>
/// <param name="BootstrapResamples">Resamples for the spread (0 = no spread).</param>
/// <param name="Seed">Seed of the resampling and of the label shuffles.</param>
/// <param name="NullShuffles">Label shuffles of the permutation null of I(T;Y) and I(C;Y) (0 = none).</param>
public sealed record InformationPlaneOptions(int BootstrapResamples = 10, int Seed = 0, int NullShuffles = 0);

/// <summary>
/// The activation-based plane (I(X;T_l), I(T_l;Y)) and the conductance-based plane (I(X;C_l), I(C_l;Y))
/// of Dabounou &amp; Baazzouz, per layer, with one estimator for every term.
/// </summary>
public sealed class InformationPlane(IMutualInformationEstimator estimator, InformationPlaneOptions options)
{
    /// <summary>The estimator used for every term.</summary>
    public IMutualInformationEstimator Estimator => estimator;

    /// <summary>Computes every layer's coordinates. <paramref name="layers"/> are in depth order.</summary>
    public IReadOnlyList<LayerInformation> Compute(SampleMatrix input, int[] labels, IReadOnlyList<LayerRepresentation> layers,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(layers);
        var shuffles = Shuffles(labels, options.NullShuffles, options.Seed);
        // The input's state is prepared once for every layer's I(X;T) and I(X;C) and their resamples.
        var x = Prepare(input);
        var result = new List<LayerInformation>(layers.Count);
        for (int l = 0; l < layers.Count; l++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var layer = layers[l];
            var notes = new List<string>();
            var t = Prepare(layer.Activations);
            var c = layer.Conductance is null ? null : Prepare(layer.Conductance);
            result.Add(new LayerInformation(
                layer.Layer, l, layer.Reduction,
                Defined(notes, "H(T)", () => estimator.Entropy(layer.Activations)),
                Defined(notes, "I(X;T)", () => Pair(x, t, cancellationToken)),
                Defined(notes, "I(T;Y)", () => WithLabels(t, labels, cancellationToken)),
                c is null ? null : Defined(notes, "I(X;C)", () => Pair(x, c, cancellationToken)),
                c is null ? null : Defined(notes, "I(C;Y)", () => WithLabels(c, labels, cancellationToken)),
                Null(t, shuffles, cancellationToken),
                c is null ? null : Null(c, shuffles, cancellationToken),
                notes));
        }
        return result;
    }

    /// <summary>A representation with the estimator's reusable state of it, when the estimator keeps one.</summary>
    private sealed record Samples(SampleMatrix Matrix, PreparedSamples? State);

    /// <summary>The estimator when it can prepare samples once for the value, its resamples and the null.</summary>
    private readonly IPreparedEstimator? prepared = estimator as IPreparedEstimator;

    private Samples Prepare(SampleMatrix matrix) => new(matrix, prepared?.Prepare(matrix));

    /// <summary>The estimate, or NaN with the reason in <paramref name="notes"/> when the estimator cannot give one.</summary>
    private static double Defined(List<string> notes, string term, Func<double> estimate)
    {
        try
        {
            return estimate();
        }
        catch (UndefinedEstimateException e)
        {
            notes.Add($"{term} undefined: {e.Message}");
            return double.NaN;
        }
    }

    private static Estimate Defined(List<string> notes, string term, Func<Estimate> estimate)
    {
        try
        {
            return estimate();
        }
        catch (UndefinedEstimateException e)
        {
            notes.Add($"{term} undefined: {e.Message}");
            return new Estimate(double.NaN, double.NaN);
        }
    }

    /// <summary>
    /// Whether <paramref name="value"/> is distinguishable from chance: above the permutation null's mean by more
    /// than three of its standard deviations (docs/analysis.md). Without a null, every value counts.
    /// </summary>
    public static bool AboveChance(Estimate value, Estimate? nullEstimate)
        => nullEstimate is not { } n || value.Value > n.Value + 3 * n.Spread + 1e-12;

    /// <summary>
    /// The seeded label permutations of the null: Fisher-Yates with <see cref="Random"/>(seed + 7919 (k + 1)), the same for
    /// every layer, so the layers' nulls are comparable.
    /// </summary>
    internal static int[][] Shuffles(int[] labels, int count, int seed)
    {
        var result = new int[count][];
        for (int k = 0; k < count; k++)
        {
            var shuffled = (int[])labels.Clone();
            new Random(unchecked(seed + 7919 * (k + 1))).Shuffle(shuffled);
            result[k] = shuffled;
        }
        return result;
    }

    private Estimate? Null(Samples a, int[][] shuffles, CancellationToken cancellationToken)
    {
        if (shuffles.Length == 0) return null;
        var values = new double[shuffles.Length];
        for (int k = 0; k < shuffles.Length; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                values[k] = prepared is not null && a.State is { } state ? prepared.MutualInformation(state, shuffles[k], null) : estimator.MutualInformation(a.Matrix, shuffles[k]);
            }
            catch (UndefinedEstimateException)
            {
                return new Estimate(double.NaN, double.NaN);
            }
        }
        double mean = values.Average();
        double spread = values.Length < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
        return new Estimate(mean, spread);
    }

    private Estimate Pair(Samples a, Samples b, CancellationToken cancellationToken)
    {
        if (prepared is not null && a.State is { } sa && b.State is { } sb)
            return new(prepared.MutualInformation(sa, sb, null),
                options.BootstrapResamples < 2 ? 0 : BootstrapSpread.OfMutualInformation(prepared, sa, sb, options.BootstrapResamples, options.Seed, cancellationToken));
        return new(estimator.MutualInformation(a.Matrix, b.Matrix),
            options.BootstrapResamples < 2 ? 0 : BootstrapSpread.OfMutualInformation(estimator, a.Matrix, b.Matrix, options.BootstrapResamples, options.Seed, cancellationToken));
    }

    private Estimate WithLabels(Samples a, int[] labels, CancellationToken cancellationToken)
    {
        if (prepared is not null && a.State is { } state)
            return new(prepared.MutualInformation(state, labels, null),
                options.BootstrapResamples < 2 ? 0 : BootstrapSpread.OfMutualInformation(prepared, state, labels, options.BootstrapResamples, options.Seed, cancellationToken));
        return new(estimator.MutualInformation(a.Matrix, labels),
            options.BootstrapResamples < 2 ? 0 : BootstrapSpread.OfMutualInformation(estimator, a.Matrix, labels, options.BootstrapResamples, options.Seed, cancellationToken));
    }
}
