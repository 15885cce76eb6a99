namespace ModelAudit.Estimators;

/// <summary>
/// Standard normal draws from a seeded <see cref="Random"/> (Box-Muller), so the same seed gives the same stream
/// on every run and machine.
/// </summary>
internal sealed class SeededGaussian(int seed)
{
    private readonly Random random = new(seed);
    private double? spare;

    internal double Next()
    {
        if (spare is { } cached)
        {
            spare = null;
            return cached;
        }

        // 1 - NextDouble() lies in (0, 1], keeping the logarithm finite.
        var radius = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble()));
        var angle = 2.0 * Math.PI * random.NextDouble();
        spare = radius * Math.Sin(angle);
        return radius * Math.Cos(angle);
    }
}
