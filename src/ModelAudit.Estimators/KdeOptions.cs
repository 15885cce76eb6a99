namespace ModelAudit.Estimators;

/// <summary>Settings of <see cref="KdeEstimator"/>.</summary>
/// <param name="NoiseVariance">Variance of the isotropic Gaussian noise assumed added to every representation. Default 0.1, the value of Saxe et al. 2018.</param>
public sealed record KdeOptions(double NoiseVariance = 0.1);
