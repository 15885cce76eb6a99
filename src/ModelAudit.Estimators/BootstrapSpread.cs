namespace ModelAudit.Estimators;

/// <summary>Spread of an estimate over bootstrap resamples, for the error bars of information planes.</summary>
public static class BootstrapSpread
{
    /// <summary>
    /// Sample standard deviation (denominator B - 1) of <paramref name="estimate"/> over <paramref name="resamples"/> = B
    /// resamples of <paramref name="samples"/> rows drawn with replacement from a <see cref="Random"/> seeded with
    /// <paramref name="seed"/>. <paramref name="estimate"/> receives the resampled row indices.
    /// </summary>
    public static double StandardDeviation(int samples, Func<int[], double> estimate, int resamples = 100, int seed = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 2);
        var random = new Random(seed);
        var values = new double[resamples];
        var rows = new int[samples];
        for (var b = 0; b < resamples; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < samples; i++)
            {
                rows[i] = random.Next(samples);
            }

            try
            {
                values[b] = estimate(rows);
            }
            catch (UndefinedEstimateException)
            {
                // A resample can lose a class or all variation; it carries no spread information.
                values[b] = double.NaN;
            }
        }

        values = [.. values.Where(double.IsFinite)];
        resamples = values.Length;
        if (resamples < 2)
        {
            return double.NaN;
        }

        // Shifted by the first value: exact zero spread for a constant estimate, less cancellation otherwise.
        var shift = values[0];
        var meanShifted = values.Average(v => v - shift);
        var sumSquares = values.Sum(v => (v - shift - meanShifted) * (v - shift - meanShifted));
        return Math.Sqrt(sumSquares / (resamples - 1));
    }

    /// <summary>Bootstrap standard deviation of <paramref name="estimator"/>'s I(A;Y), pairs resampled together.</summary>
    public static double OfMutualInformation(IMutualInformationEstimator estimator, SampleMatrix a, int[] labels, int resamples = 100, int seed = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        if (estimator is IPreparedEstimator prepared)
        {
            return OfMutualInformation(prepared, prepared.Prepare(a), labels, resamples, seed, cancellationToken);
        }

        return StandardDeviation(a.Rows, rows => estimator.MutualInformation(a.SelectRows(rows), [.. rows.Select(r => labels[r])]), resamples, seed,
            cancellationToken);
    }

    /// <summary>Bootstrap standard deviation of <paramref name="estimator"/>'s I(A;B), pairs resampled together.</summary>
    public static double OfMutualInformation(IMutualInformationEstimator estimator, SampleMatrix a, SampleMatrix b, int resamples = 100, int seed = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        if (estimator is IPreparedEstimator prepared)
        {
            return OfMutualInformation(prepared, prepared.Prepare(a), prepared.Prepare(b), resamples, seed, cancellationToken);
        }

        return StandardDeviation(a.Rows, rows => estimator.MutualInformation(a.SelectRows(rows), b.SelectRows(rows)), resamples, seed, cancellationToken);
    }

    /// <summary>
    /// Bootstrap standard deviation of I(A;Y) from prepared samples: the same resamples as the <see cref="SampleMatrix"/>
    /// overload, read from <paramref name="a"/>'s state instead of copied rows.
    /// </summary>
    public static double OfMutualInformation(IPreparedEstimator estimator, PreparedSamples a, int[] labels, int resamples = 100, int seed = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(a);
        return StandardDeviation(a.Rows, rows => estimator.MutualInformation(a, labels, rows), resamples, seed, cancellationToken);
    }

    /// <summary>Bootstrap standard deviation of I(A;B) from prepared samples, pairs resampled together.</summary>
    public static double OfMutualInformation(IPreparedEstimator estimator, PreparedSamples a, PreparedSamples b, int resamples = 100, int seed = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(a);
        return StandardDeviation(a.Rows, rows => estimator.MutualInformation(a, b, rows), resamples, seed, cancellationToken);
    }
}
