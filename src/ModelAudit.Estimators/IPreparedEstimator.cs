namespace ModelAudit.Estimators;

/// <summary>
/// An estimator that does its per-representation work once (<see cref="Prepare"/>: for example the pairwise
/// distances) and then answers for any resample of the rows or any relabelling from that state. Bootstrap spreads
/// and permutation nulls then copy no samples and repeat no O(n^2 d) products: at n = 256 and d = 4096 each
/// resample otherwise copied and centred 8 MiB, which at VGG16's width made the planes stage the run's memory peak.
/// </summary>
public interface IPreparedEstimator : IMutualInformationEstimator
{
    /// <summary>The reusable state of the rows of <paramref name="x"/>.</summary>
    PreparedSamples Prepare(SampleMatrix x);

    /// <summary>
    /// I(A;B) over the rows <paramref name="rows"/> of both (repeats allowed, as in a bootstrap resample), or over all
    /// rows in order when <paramref name="rows"/> is null. Equals <see cref="IMutualInformationEstimator.MutualInformation(SampleMatrix, SampleMatrix)"/>
    /// of the selected rows up to rounding.
    /// </summary>
    double MutualInformation(PreparedSamples a, PreparedSamples b, int[]? rows);

    /// <summary>
    /// I(A;Y) over the rows <paramref name="rows"/> of <paramref name="a"/> with labels <c>labels[rows[i]]</c>, or over all
    /// rows in order with <paramref name="labels"/> as given when <paramref name="rows"/> is null.
    /// </summary>
    double MutualInformation(PreparedSamples a, int[] labels, int[]? rows);
}

/// <summary>What an <see cref="IPreparedEstimator"/> keeps of one representation; only that estimator reads it.</summary>
public abstract class PreparedSamples
{
    /// <summary>Creates the state of <paramref name="rows"/> samples.</summary>
    protected PreparedSamples(int rows) => Rows = rows;

    /// <summary>Number of samples.</summary>
    public int Rows { get; }
}
