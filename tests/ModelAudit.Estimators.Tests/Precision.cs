namespace ModelAudit.Estimators.Tests;

internal static class Precision
{
    /// <summary>Fails unless |expected - actual| / max(|expected|, floor) &lt;= relTol.</summary>
    public static void AssertClose(double expected, double actual, double relTol, double floor = 1e-300)
    {
        var error = Math.Abs(expected - actual) / Math.Max(Math.Abs(expected), floor);
        Assert.True(error <= relTol, $"expected {expected:R}, actual {actual:R}, relative error {error:E3} > {relTol:E1}");
    }

    /// <summary>Fails unless max_i |expected_i - actual_i| / max_i |expected_i| &lt;= relTol.</summary>
    public static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double relTol)
    {
        Assert.Equal(expected.Count, actual.Count);
        var maxError = 0.0;
        var maxValue = 0.0;
        for (var i = 0; i < expected.Count; i++)
        {
            maxError = Math.Max(maxError, Math.Abs(expected[i] - actual[i]));
            maxValue = Math.Max(maxValue, Math.Abs(expected[i]));
        }

        var error = maxError / Math.Max(maxValue, 1e-300);
        Assert.True(error <= relTol, $"relative error {error:E3} > {relTol:E1} (max abs error {maxError:E3})");
    }
}
