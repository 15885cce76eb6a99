namespace ModelAudit.Nif;

/// <summary>
/// Settings of the MINE estimator (Belghazi et al. 2018). The statistics network of every edge is an MLP
/// on the standardised pair (2 inputs) with one hidden ReLU layer of <see cref="Hidden"/> units and one
/// output, trained by Adam on the Donsker-Varadhan bound with the moving-average gradient correction.
/// </summary>
/// <param name="Hidden">Hidden units of each statistics network.</param>
/// <param name="Steps">Adam steps.</param>
/// <param name="BatchSize">Joint samples per step (the same number of shuffled marginal samples is added); capped at the sample count.</param>
/// <param name="LearningRate">Adam step size.</param>
/// <param name="MovingAverageRate">Rate of the moving average of E_Q[e^T] that replaces the batch mean in the gradient.</param>
/// <param name="AveragedSteps">The estimate is the mean DV bound over this many last steps.</param>
public sealed record MineOptions(
    int Hidden = 16,
    int Steps = 500,
    int BatchSize = 256,
    double LearningRate = 0.005,
    double MovingAverageRate = 0.01,
    int AveragedSteps = 50)
{
    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is not positive, or the rate is outside (0, 1].</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Hidden);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(AveragedSteps);
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be positive.");
        if (!(MovingAverageRate > 0 && MovingAverageRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(MovingAverageRate), MovingAverageRate, "The moving-average rate must be in (0, 1].");
    }
}
