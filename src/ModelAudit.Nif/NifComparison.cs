namespace ModelAudit.Nif;

/// <summary>Two-sample Kolmogorov-Smirnov comparison of per-feature attributions (each normalised to sum 1).</summary>
/// <param name="Method">The attribution compared with raw MI: <c>nif</c> or <c>integrated-gradients</c>.</param>
/// <param name="Statistic">KS statistic D.</param>
/// <param name="PValue">Two-sided p-value (scipy.stats.ks_2samp, method auto).</param>
/// <param name="Values">The method's per-feature attribution, normalised.</param>
public sealed record NifComparison(string Method, double Statistic, double PValue, IReadOnlyList<double> Values);
