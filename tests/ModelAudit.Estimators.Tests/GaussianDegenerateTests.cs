namespace ModelAudit.Estimators.Tests;

public sealed class GaussianDegenerateTests
{
    [Fact]
    public void MutualInformation_ClassWithOneSample_UndefinedNamingTheClass()
    {
        var x = new SampleMatrix([.. Enumerable.Range(0, 20).Select(i => (float)Math.Sin(i))], 10, 2);
        int[] labels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 5];
        var e = Assert.Throws<UndefinedEstimateException>(() => new GaussianEstimator().MutualInformation(x, labels));
        Assert.Equal("class 5 has 1 sample; the Gaussian estimator needs at least 2 per class for I(T;Y)", e.Message);
    }

    [Fact]
    public void Entropy_ConstantFeatures_UndefinedInsteadOfMinusInfinity()
    {
        var constant = new SampleMatrix(Enumerable.Repeat(2f, 12).ToArray(), 12, 1);
        Assert.Throws<UndefinedEstimateException>(() => new GaussianEstimator().Entropy(constant));
    }

    [Fact]
    public void MutualInformation_ConstantSide_IsExactlyZero()
    {
        var constant = new SampleMatrix(Enumerable.Repeat(2f, 12).ToArray(), 12, 1);
        var varying = new SampleMatrix([.. Enumerable.Range(0, 12).Select(i => (float)i)], 12, 1);
        Assert.Equal(0.0, new GaussianEstimator().MutualInformation(constant, varying));
        Assert.Equal(0.0, new GaussianEstimator().MutualInformation(constant, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]));
    }

    [Fact]
    public void StandardDeviation_ResamplesThatAreUndefined_AreLeftOut()
    {
        // Resample values 1, undefined, 3, undefined, 5, ...: the spread is that of the defined ones.
        int call = 0;
        double spread = BootstrapSpread.StandardDeviation(10, _ => ++call % 2 == 0 ? throw new UndefinedEstimateException("x") : call, resamples: 6);
        var defined = new double[] { 1, 3, 5 };
        double mean = defined.Average();
        Assert.Equal(Math.Sqrt(defined.Sum(v => (v - mean) * (v - mean)) / 2), spread, 12);
    }
}
