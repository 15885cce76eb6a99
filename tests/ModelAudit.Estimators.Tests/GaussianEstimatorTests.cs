namespace ModelAudit.Estimators.Tests;

public sealed class GaussianEstimatorTests
{
    public static TheoryData<int> Cases => Goldens.Indices("gaussian");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Entropy_LedoitWolfCovariance_MatchesSklearnLedoitWolfSlogdet(int index)
    {
        var golden = Goldens.Get("gaussian")[index];
        var x = golden.Matrix();
        Precision.AssertClose(golden.Number("shrinkage"), ShrunkCovariance.Estimate(x).Shrinkage, relTol: 1e-9);
        Precision.AssertClose(golden.Number("entropy_bits"), new GaussianEstimator().Entropy(x), relTol: 1e-9);
    }

    [Fact]
    public void Entropy_OneColumn_IsGaussianEntropyOfBiasedVariance()
    {
        // d = 1: Ledoit-Wolf shrinks towards mu = the variance itself, so Sigma = S and H = 1/2 log2(2 pi e var).
        float[] values = [0.5f, 1.5f, -2f, 3f, 0f, 1f];
        var mean = values.Average(v => (double)v);
        var variance = values.Average(v => (v - mean) * (v - mean));
        Precision.AssertClose(0.5 * Math.Log2(2 * Math.PI * Math.E * variance), new GaussianEstimator().Entropy(new SampleMatrix(values, 6, 1)), relTol: 1e-13);
    }

    [Fact]
    public void Entropy_PointsWithIsotropicCovariance_IsClosedForm()
    {
        // (+-1, 0), (0, +-1): mean 0, S = 0.5 I, already the shrinkage target, so Sigma = 0.5 I for any s and
        // H = 1/2 log2((2 pi e)^2 * 0.25).
        var x = new SampleMatrix([1f, 0f, -1f, 0f, 0f, 1f, 0f, -1f], 4, 2);
        Precision.AssertClose(0.5 * Math.Log2(Math.Pow(2 * Math.PI * Math.E, 2) * 0.25), new GaussianEstimator().Entropy(x), relTol: 1e-14);
    }

    [Fact]
    public void MutualInformation_IrisHalves_IsSumOfGoldenEntropiesMinusJoint()
    {
        var cases = Goldens.Get("gaussian");
        var joint = cases[0];
        var first = cases[1];
        var second = cases[2];
        var expected = first.Number("entropy_bits") + second.Number("entropy_bits") - joint.Number("entropy_bits");
        Precision.AssertClose(expected, new GaussianEstimator().MutualInformation(first.Matrix(), second.Matrix()), relTol: 1e-8);
    }

    [Fact]
    public void MutualInformation_Labels_IsEntropyMinusWeightedClassEntropies()
    {
        var iris = Goldens.Get("iris");
        var x = iris.Matrix();
        var labels = iris.GetProperty("labels").Ints();
        var gaussian = new GaussianEstimator();
        var conditional = Enumerable.Range(0, 3).Sum(c =>
        {
            var rows = Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).ToArray();
            return (double)rows.Length / labels.Length * gaussian.Entropy(x.SelectRows(rows));
        });
        Assert.Equal(gaussian.Entropy(x) - conditional, gaussian.MutualInformation(x, labels), 12);
    }

    [Fact]
    public void MutualInformation_SingletonClass_Undefined()
    {
        var x = new SampleMatrix([1f, 2f, 3f], 3, 1);
        Assert.Throws<UndefinedEstimateException>(() => new GaussianEstimator().MutualInformation(x, [0, 0, 1]));
    }
}
