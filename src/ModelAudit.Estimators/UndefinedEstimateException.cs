namespace ModelAudit.Estimators;

/// <summary>
/// The estimator cannot give a value for these samples (for example a class with one sample for the Gaussian
/// estimator); <see cref="Exception.Message"/> says why. Analyses report such a value as undefined with the reason.
/// </summary>
public sealed class UndefinedEstimateException : Exception
{
    /// <summary>Creates the exception with the reason.</summary>
    public UndefinedEstimateException(string reason) : base(reason)
    {
    }

    /// <summary>Creates the exception.</summary>
    public UndefinedEstimateException() : base("the estimate is undefined")
    {
    }

    /// <summary>Creates the exception with the reason and its cause.</summary>
    public UndefinedEstimateException(string reason, Exception inner) : base(reason, inner)
    {
    }
}
