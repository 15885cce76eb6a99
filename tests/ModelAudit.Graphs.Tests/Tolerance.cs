namespace ModelAudit.Graphs.Tests;

internal static class Tolerance
{
    /// <summary>Relative error = max |expected − actual| / max |expected| (absolute when expected is all zero).</summary>
    public static void AssertClose(double[] expected, double[] actual, double relTol)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxError = 0, maxValue = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            maxError = Math.Max(maxError, Math.Abs(expected[i] - actual[i]));
            maxValue = Math.Max(maxValue, Math.Abs(expected[i]));
        }

        double error = maxValue > 0 ? maxError / maxValue : maxError;
        Assert.True(error <= relTol, $"relative error {error:E3} > {relTol:E1}");
    }

    public static void AssertClose(double expected, double actual, double absTol) =>
        Assert.True(Math.Abs(expected - actual) <= absTol, $"expected {expected:R}, got {actual:R} (|diff| > {absTol:E1})");
}
