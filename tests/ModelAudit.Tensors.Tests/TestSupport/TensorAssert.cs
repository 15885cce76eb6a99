namespace ModelAudit.Tensors.Tests.TestSupport;

/// <summary>Closeness checks: relative error = max-abs error / max-abs expected value (absolute when the expected values are all zero).</summary>
internal static class TensorAssert
{
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double relTol, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxError = 0, maxValue = 0;
        int worst = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]);
            if (double.IsNaN(actual[i]) || double.IsNaN(expected[i])) error = double.IsNaN(actual[i]) && double.IsNaN(expected[i]) ? 0 : double.PositiveInfinity;
            if (error > maxError)
            {
                maxError = error;
                worst = i;
            }
            if (!double.IsNaN(expected[i])) maxValue = Math.Max(maxValue, Math.Abs(expected[i]));
        }
        double rel = maxValue > 0 ? maxError / maxValue : maxError;
        Assert.True(rel <= relTol,
            $"{what} relative error {rel:G3} > {relTol:G3} (worst at {worst}: expected {(worst >= 0 ? expected[worst] : 0):G9}, actual {(worst >= 0 ? actual[worst] : 0):G9}).");
    }

    public static void AssertClose(float[] expected, Tensor actual, double relTol, string what = "")
        => AssertClose(Array.ConvertAll(expected, v => (double)v), actual.ToArray(), relTol, what);

    public static void AssertClose(double[] expected, Tensor actual, double relTol, string what = "")
        => AssertClose(expected, actual.ToArray(), relTol, what);

    /// <summary>Bit-exact equality.</summary>
    public static void AssertIdentical(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"Element {i}: {expected[i]:G9} vs {actual[i]:G9}.");
    }
}
