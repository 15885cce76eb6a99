namespace ModelAudit.Estimators;

/// <summary>
/// Pairwise-distance upper bound on the entropy of a Gaussian mixture (Kolchinsky and Tracey, "Estimating
/// mixture entropy with pairwise distances", Entropy 2017, section 4), as used for information planes by
/// Saxe et al., "On the information bottleneck theory of deep learning", ICLR 2018.
/// </summary>
/// <remarks>
/// <para>The representation T is modelled as the empirical distribution of the n rows plus Gaussian noise
/// N(0, var I_d). Upper bound, in nats and reported in bits:
/// H(T) &lt;= d/2 + d/2 ln(2 pi var) - 1/n sum_i ln(1/n sum_j exp(-||t_i - t_j||^2 / (2 var))).</para>
/// <para><see cref="MutualInformation(SampleMatrix, SampleMatrix)"/> takes the first argument as the upstream X and the
/// second as the representation T computed from it (input then layer, or layer l then layer l + 1):
/// I(X;T) = H(T) - H(T|X) with H(T|X) the noise entropy d/2 ln(2 pi e var) of T's d features. X only fixes the pairing,
/// so its rows must match T's; the estimate is not symmetric in its arguments.</para>
/// <para>Labels: I(T;Y) = H(T) - sum_y p(y) H(T | Y = y), each term the bound on the rows of class y.</para>
/// <para>Default noise variance 0.1 (<see cref="KdeOptions.NoiseVariance"/>).</para>
/// </remarks>
public sealed class KdeEstimator : IMutualInformationEstimator
{
    /// <summary>Creates the estimator with <paramref name="options"/> (defaults when null).</summary>
    public KdeEstimator(KdeOptions? options = null)
    {
        Options = options ?? new KdeOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.NoiseVariance);
    }

    /// <summary>The settings in use.</summary>
    public KdeOptions Options { get; }

    /// <inheritdoc />
    public string Name => "kde";

    /// <summary>Upper bound on the entropy of the rows of <paramref name="x"/> plus the noise, in bits.</summary>
    public double Entropy(SampleMatrix x) => Bits.FromNats(NoiseEntropyNats(x.Cols) + PairwiseTermNats(x));

    /// <summary>Entropy of the added noise, d/2 log2(2 pi e var), in bits; H(T|X) for a deterministic T = f(X).</summary>
    public double NoiseEntropy(int dimensions) => Bits.FromNats(NoiseEntropyNats(dimensions));

    /// <summary>I(X;T) = H(T) - H(T|X) for T = <paramref name="b"/> a deterministic function of X = <paramref name="a"/> plus the noise, in bits.</summary>
    public double MutualInformation(SampleMatrix a, SampleMatrix b)
    {
        SampleMatrix.RequireSameRows(b, a.Rows);
        // H(T) - d/2 ln(2 pi e var) leaves T's pairwise term alone.
        return Bits.FromNats(PairwiseTermNats(b));
    }

    /// <inheritdoc />
    public double MutualInformation(SampleMatrix a, int[] labels)
    {
        var groups = LabelGroups.Of(labels, a.Rows);
        var conditional = 0.0;
        foreach (var rows in groups.RowsOfClass)
        {
            conditional += (double)rows.Length / a.Rows * Entropy(a.SelectRows(rows));
        }

        return Entropy(a) - conditional;
    }

    private double NoiseEntropyNats(int dimensions) =>
        0.5 * dimensions * (Math.Log(2.0 * Math.PI * Options.NoiseVariance) + 1.0);

    /// <summary>-1/n sum_i ln(1/n sum_j exp(-D_ij / (2 var))), with a per-row log-sum-exp.</summary>
    private double PairwiseTermNats(SampleMatrix x)
    {
        var n = x.Rows;
        var distances = SquaredDistances.Compute(x);
        var scale = -1.0 / (2.0 * Options.NoiseVariance);
        var total = 0.0;
        for (var i = 0; i < n; i++)
        {
            // The largest exponent is 0 (j = i), so exp never overflows and the self term keeps the sum >= 1.
            var sum = 0.0;
            for (var j = 0; j < n; j++)
            {
                sum += Math.Exp(distances[i * n + j] * scale);
            }

            total += Math.Log(sum / n);
        }

        return -total / n;
    }
}
