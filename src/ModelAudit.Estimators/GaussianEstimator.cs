namespace ModelAudit.Estimators;

/// <summary>
/// Entropy of the Gaussian with the samples' Ledoit-Wolf shrinkage covariance (Ledoit and Wolf 2004; the
/// maximum-entropy, second-moment-only view of a representation).
/// </summary>
/// <remarks>
/// <para>H = 1/2 log2((2 pi e)^d det Sigma) bits, Sigma = (1 - s) S + s (tr S / d) I with S the biased sample covariance
/// and s the Ledoit-Wolf shrinkage (scikit-learn's ledoit_wolf formula). No parameters.</para>
/// <para>I(A;B) = H(A) + H(B) - H(A,B) with (A,B) the concatenated features; labels: I(T;Y) = H(T) - sum_y p(y) H(T | Y = y),
/// which needs at least two samples per class.</para>
/// <para>Cost: the smaller of the d x d covariance and the n x n Gram matrix, then its eigenvalues.</para>
/// </remarks>
public sealed class GaussianEstimator : IMutualInformationEstimator
{
    /// <inheritdoc />
    public string Name => "gaussian";

    /// <inheritdoc />
    /// <exception cref="UndefinedEstimateException">Every feature is constant: the entropy of the degenerate Gaussian is minus infinity.</exception>
    public double Entropy(SampleMatrix x)
    {
        var entropy = EntropyOf(ShrunkCovariance.Estimate(x));
        return double.IsFinite(entropy) ? entropy
            : throw new UndefinedEstimateException("the covariance is singular (constant features), so the Gaussian entropy is minus infinity");
    }

    /// <inheritdoc />
    /// <remarks>A constant representation carries no information: I = 0 exactly when either side has only constant features.</remarks>
    public double MutualInformation(SampleMatrix a, SampleMatrix b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (IsConstant(a) || IsConstant(b)) return 0.0;
        return Entropy(a) + Entropy(b) - Entropy(SampleMatrix.ConcatColumns(a, b));
    }

    private static bool IsConstant(SampleMatrix x)
    {
        var first = x.Row(0);
        for (var i = 1; i < x.Rows; i++)
        {
            if (!x.Row(i).SequenceEqual(first)) return false;
        }

        return true;
    }

    /// <inheritdoc />
    /// <exception cref="UndefinedEstimateException">A class has fewer than two samples: its covariance, and so H(T | Y), is undefined.</exception>
    public double MutualInformation(SampleMatrix a, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(a);
        var groups = LabelGroups.Of(labels, a.Rows);
        if (IsConstant(a)) return 0.0;
        var conditional = 0.0;
        for (var c = 0; c < groups.Classes.Length; c++)
        {
            var rows = groups.RowsOfClass[c];
            if (rows.Length < 2)
            {
                throw new UndefinedEstimateException($"class {groups.Classes[c]} has {rows.Length} sample; the Gaussian estimator needs at least 2 per class for I(T;Y)");
            }

            conditional += (double)rows.Length / a.Rows * Entropy(a.SelectRows(rows));
        }

        return Entropy(a) - conditional;
    }

    /// <summary>1/2 log2((2 pi e)^d det Sigma) from d and ln det Sigma.</summary>
    internal static double EntropyOf(ShrunkCovariance covariance) =>
        Bits.FromNats(0.5 * (covariance.Dimensions * Math.Log(2.0 * Math.PI * Math.E) + covariance.LogDeterminant));
}
