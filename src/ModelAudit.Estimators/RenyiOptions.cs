namespace ModelAudit.Estimators;

/// <summary>Settings of <see cref="RenyiEstimator"/>.</summary>
/// <param name="Alpha">Renyi order alpha (&gt; 0). Default 1.01, close to Shannon but without the log of zero eigenvalues; 1 gives the von Neumann entropy.</param>
/// <param name="Sigma">Gaussian kernel width; null picks it per matrix with the rule documented on <see cref="RenyiEstimator"/>.</param>
/// <param name="Gamma">Scale factor gamma of the automatic width rule. Default 1.</param>
public sealed record RenyiOptions(double Alpha = 1.01, double? Sigma = null, double Gamma = 1.0);
