namespace ModelAudit.Estimators;

/// <summary>Settings of <see cref="BinningEstimator"/>.</summary>
/// <param name="Range">Where the bins lie. Default: each matrix's own min/max.</param>
/// <param name="Width">How the range is cut. Default: 30 equal bins (Shwartz-Ziv and Tishby 2017).</param>
public sealed record BinningOptions(BinRange? Range = null, BinWidth? Width = null)
{
    /// <summary>The range in use: <see cref="Range"/> or <see cref="BinRange.PerLayerMinMax"/>.</summary>
    public BinRange EffectiveRange => Range ?? new BinRange.PerLayerMinMax();

    /// <summary>The width rule in use: <see cref="Width"/> or 30 bins.</summary>
    public BinWidth EffectiveWidth => Width ?? new BinWidth.Count(30);
}
