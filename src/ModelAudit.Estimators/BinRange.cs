namespace ModelAudit.Estimators;

/// <summary>The interval [lo, hi] the bins of <see cref="BinningEstimator"/> cover; values outside go to the end bins.</summary>
public abstract record BinRange
{
    private BinRange()
    {
    }

    /// <summary>Fixed edges, e.g. [-1, 1] for tanh layers.</summary>
    /// <param name="Low">Lower edge lo.</param>
    /// <param name="High">Upper edge hi (&gt; lo).</param>
    public sealed record Fixed(double Low, double High) : BinRange;

    /// <summary>lo and hi are the smallest and largest value in the matrix being binned (one layer's activations).</summary>
    public sealed record PerLayerMinMax : BinRange;
}
