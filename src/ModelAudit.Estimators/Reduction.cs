namespace ModelAudit.Estimators;

/// <summary>A reduction of a huge representation before estimating on it; applied by <see cref="RepresentationReducer"/>.</summary>
public abstract record Reduction
{
    private Reduction()
    {
    }

    /// <summary>Keep every feature.</summary>
    public sealed record None : Reduction;

    /// <summary>Rows are [C, H, W] feature maps flattened channel-major; each channel becomes its spatial mean ([N,C,H,W] to [N,C]).</summary>
    /// <param name="Channels">C; the column count must be a multiple of it.</param>
    public sealed record ChannelMean(int Channels) : Reduction;

    /// <summary>y = x R with R a d x K matrix of independent N(0, 1) / sqrt(K) entries drawn row by row from <paramref name="Seed"/>,
    /// so E||y||^2 = ||x||^2 (Johnson-Lindenstrauss).</summary>
    /// <param name="Dimensions">K, the projected feature count.</param>
    /// <param name="Seed">Seed of the Gaussian matrix; the same seed gives the same matrix.</param>
    public sealed record RandomProjection(int Dimensions, int Seed) : Reduction;
}
