namespace ModelAudit.Onnx.Tests;

internal static class TensorAssert
{
    /// <summary>Asserts max|expected - actual| / max|expected| &lt;= relTol (absolute when expected is all zero).</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relTol, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} elements, expected {expected.Length}");
        double maxError = 0, maxValue = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.False(float.IsNaN(actual[i]), $"{what}: NaN at {i}");
            maxError = Math.Max(maxError, Math.Abs((double)expected[i] - actual[i]));
            maxValue = Math.Max(maxValue, Math.Abs((double)expected[i]));
        }
        double relative = maxValue > 0 ? maxError / maxValue : maxError;
        Assert.True(relative <= relTol, $"{what}: relative error {relative:E3} (max abs error {maxError:E3}, max abs value {maxValue:E3}) > {relTol:E1}");
    }
}
