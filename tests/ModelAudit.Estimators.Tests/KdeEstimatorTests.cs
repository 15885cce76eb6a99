namespace ModelAudit.Estimators.Tests;

public sealed class KdeEstimatorTests
{
    [Fact]
    public void Entropy_SingleSample_IsNoiseEntropy()
    {
        // One mixture component: the bound is exact, d/2 log2(2 pi e var).
        var kde = new KdeEstimator(new KdeOptions(NoiseVariance: 0.3));
        var expected = 1.5 * Math.Log2(2 * Math.PI * Math.E * 0.3);
        Precision.AssertClose(expected, kde.Entropy(new SampleMatrix([1f, -2f, 0.5f], 1, 3)), relTol: 1e-14);
    }

    [Fact]
    public void Entropy_TwoFarApartSamples_IsNoiseEntropyPlusOneBit()
    {
        var kde = new KdeEstimator();
        var x = new SampleMatrix([0f, 0f, 100f, 0f], 2, 2);
        Precision.AssertClose(kde.NoiseEntropy(2) + 1.0, kde.Entropy(x), relTol: 1e-14);
    }

    [Fact]
    public void MutualInformation_DistinctPointsTinyNoise_IsLog2N()
    {
        var kde = new KdeEstimator(new KdeOptions(NoiseVariance: 1e-9));
        var t = new SampleMatrix([.. Enumerable.Range(0, 40).Select(i => (float)i)], 40, 1);
        Precision.AssertClose(Math.Log2(40), kde.MutualInformation(t, t), relTol: 1e-14);
    }

    [Fact]
    public void MutualInformation_ConstantInputAndDistinctRepresentationTinyNoise_IsLog2NOfTheSecondArgument()
    {
        // The second argument is T = f(X): its pairwise term is the estimate, whatever X looks like.
        var kde = new KdeEstimator(new KdeOptions(NoiseVariance: 1e-9));
        var input = new SampleMatrix(new float[40], 40, 1);
        var t = new SampleMatrix([.. Enumerable.Range(0, 80).Select(i => (float)i)], 40, 2);
        Precision.AssertClose(Math.Log2(40), kde.MutualInformation(input, t), relTol: 1e-14);
        Assert.Equal(0.0, kde.MutualInformation(t, input), 14);
    }

    [Fact]
    public void MutualInformation_HugeNoise_TendsToZero()
    {
        var kde = new KdeEstimator(new KdeOptions(NoiseVariance: 1e9));
        var t = new SampleMatrix([.. Enumerable.Range(0, 40).Select(i => (float)i)], 40, 1);
        // -1/n sum_i ln(1/n sum_j exp(-D/(2 var))) ~ mean D / (2 var) <= 39^2 / 2e9 nats.
        Assert.InRange(kde.MutualInformation(t, t), 0.0, 39.0 * 39.0 / 2e9 / Math.Log(2));
    }

    [Fact]
    public void Entropy_GaussianSamples_IsAtLeastTrueEntropyOfNoisyGaussian()
    {
        // T ~ N(0, diag(1, 4)) plus noise var 0.1: true H = 1/2 log2((2 pi e)^2 (1.1)(4.1)). The bound is above by
        // about d/2 nats minus the small-sample deficit; seed fixed, 800 samples.
        var noise = new SeededGaussian(3);
        var data = new float[800 * 2];
        for (var i = 0; i < 800; i++)
        {
            data[2 * i] = (float)noise.Next();
            data[2 * i + 1] = (float)(2 * noise.Next());
        }

        var trueEntropy = 0.5 * Math.Log2(Math.Pow(2 * Math.PI * Math.E, 2) * 1.1 * 4.1);
        Assert.True(new KdeEstimator().Entropy(new SampleMatrix(data, 800, 2)) >= trueEntropy);
    }

    [Fact]
    public void Entropy_Iris_MatchesNumpyFormula()
    {
        var golden = Goldens.Get("kde");
        var kde = new KdeEstimator(new KdeOptions(golden.Number("noise_variance")));
        Precision.AssertClose(golden.Number("entropy_bits"), kde.Entropy(Goldens.Get("iris").Matrix()), relTol: 1e-6);
    }

    [Fact]
    public void MutualInformation_IrisAndTarget_MatchesNumpyFormula()
    {
        var golden = Goldens.Get("kde");
        var iris = Goldens.Get("iris");
        var kde = new KdeEstimator(new KdeOptions(golden.Number("noise_variance")));
        Precision.AssertClose(golden.Number("mi_labels_bits"), kde.MutualInformation(iris.Matrix(), iris.GetProperty("labels").Ints()), relTol: 1e-6);
        Precision.AssertClose(golden.Number("mi_input_bits"), kde.MutualInformation(iris.Matrix(), iris.Matrix()), relTol: 1e-6);
    }
}
