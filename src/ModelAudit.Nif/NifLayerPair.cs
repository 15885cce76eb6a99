namespace ModelAudit.Nif;

/// <summary>How the flows of one pair of consecutive layers were produced.</summary>
/// <param name="From">Earlier layer index.</param>
/// <param name="To">Later layer index.</param>
/// <param name="Estimator">Estimator used: <c>mine</c>, <c>ksg</c> or <c>binning</c>.</param>
/// <param name="Edges">Connected pairs (edges).</param>
/// <param name="Estimated">Edges whose flow was estimated (the rest touch a constant unit and have flow 0).</param>
/// <param name="NoiseFloor">Largest estimate on shuffled (independent) pairs of this layer pair, at least 0 (bits).</param>
/// <param name="ClippedCount">Edges whose flow was negative before clipping at 0.</param>
public sealed record NifLayerPair(int From, int To, string Estimator, int Edges, int Estimated, double NoiseFloor, int ClippedCount);
