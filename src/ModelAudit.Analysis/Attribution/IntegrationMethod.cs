namespace ModelAudit.Analysis.Attribution;

/// <summary>How the path integral from the baseline to the input is discretised (Captum's names).</summary>
public enum IntegrationMethod
{
    /// <summary>Gauss-Legendre nodes mapped to [0,1]: alphas 0.5(1+x_i), weights 0.5 w_i. Captum's default.</summary>
    GaussLegendre,

    /// <summary>alphas linspace(0,1,n); weights 1/n with the end points halved, so they sum to 1 - 1/n (as Captum).</summary>
    RiemannTrapezoid,

    /// <summary>alphas linspace(0, 1-1/n, n); weights 1/n.</summary>
    RiemannLeft,

    /// <summary>alphas linspace(1/n, 1, n); weights 1/n.</summary>
    RiemannRight,

    /// <summary>alphas linspace(1/(2n), 1-1/(2n), n); weights 1/n.</summary>
    RiemannMiddle,
}
