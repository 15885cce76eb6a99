namespace ModelAudit.Estimators;

/// <summary>Settings of <see cref="KsgEstimator"/>.</summary>
/// <param name="Neighbors">k, the neighbour rank. Default 3 (as scikit-learn's n_neighbors).</param>
/// <param name="JitterScale">Tie-breaking noise: every value v of column c becomes v + JitterScale * max(1, mean_i |x_ic|) * z, z ~ N(0, 1), in double precision. Default 1e-10 (scikit-learn's amount); 0 disables it.</param>
/// <param name="Seed">Seed of the jitter stream. The first matrix uses Seed, the second Seed + 1.</param>
/// <param name="Standardize">Divide every column by its standard deviation (population, ddof 0; constant columns untouched) before the jitter, as scikit-learn does; mutual information only (entropy keeps the units). The max-norm in the joint space is not scale invariant, so this keeps one variable's units from dominating. Default true.</param>
public sealed record KsgOptions(int Neighbors = 3, double JitterScale = 1e-10, int Seed = 0, bool Standardize = true);
