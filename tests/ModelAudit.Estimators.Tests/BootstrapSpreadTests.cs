namespace ModelAudit.Estimators.Tests;

public sealed class BootstrapSpreadTests
{
    [Fact]
    public void StandardDeviation_ConstantEstimate_IsZero()
    {
        Assert.Equal(0.0, BootstrapSpread.StandardDeviation(30, _ => 4.2, resamples: 10));
    }

    [Fact]
    public void StandardDeviation_OfSampleMean_IsStandardErrorOfTheMean()
    {
        // Bootstrap std of the mean -> population std / sqrt(n). With B = 2000 the estimate's own spread is about
        // 1/sqrt(2B) = 1.6 %, so 8 % is a 5-sigma bound for the fixed seed.
        var values = Enumerable.Range(0, 100).Select(i => Math.Sin(i) * 3 + i % 7).ToArray();
        var mean = values.Average();
        var standardError = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)) / values.Length);
        var spread = BootstrapSpread.StandardDeviation(values.Length, rows => rows.Average(r => values[r]), resamples: 2000, seed: 3);
        Precision.AssertClose(standardError, spread, relTol: 0.08);
    }

    [Fact]
    public void OfMutualInformation_SameSeed_IsBitIdentical()
    {
        var iris = Goldens.Get("iris");
        var x = iris.Matrix();
        var labels = iris.GetProperty("labels").Ints();
        var first = BootstrapSpread.OfMutualInformation(new BinningEstimator(), x, labels, resamples: 5, seed: 2);
        var second = BootstrapSpread.OfMutualInformation(new BinningEstimator(), x, labels, resamples: 5, seed: 2);
        Assert.Equal(BitConverter.DoubleToInt64Bits(first), BitConverter.DoubleToInt64Bits(second));
        Assert.True(first > 0);
    }
}
