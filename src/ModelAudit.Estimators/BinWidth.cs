namespace ModelAudit.Estimators;

/// <summary>How <see cref="BinningEstimator"/> cuts its range into bins.</summary>
public abstract record BinWidth
{
    private BinWidth()
    {
    }

    /// <summary>A fixed number of equal bins: width (hi - lo) / bins.</summary>
    /// <param name="Bins">Number of bins (&gt;= 1).</param>
    public sealed record Count(int Bins) : BinWidth;

    /// <summary>A fixed bin width; ceil((hi - lo) / size) bins (at least one).</summary>
    /// <param name="BinSize">Width of each bin (&gt; 0), e.g. 0.07 in Saxe et al. 2018.</param>
    public sealed record Size(double BinSize) : BinWidth;
}
