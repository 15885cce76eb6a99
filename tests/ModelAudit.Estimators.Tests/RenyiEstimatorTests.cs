namespace ModelAudit.Estimators.Tests;

public sealed class RenyiEstimatorTests
{
    [Theory]
    [InlineData(1.01)]
    [InlineData(2.0)]
    [InlineData(1.0)]
    public void Entropy_DeltaLabelKernel_IsRenyiEntropyOfClassProportions(double alpha)
    {
        int[] labels = [0, 0, 0, 1, 1, 2, 0, 1, 2, 2, 2, 2];
        var proportions = labels.GroupBy(l => l).Select(g => (double)g.Count() / labels.Length).ToArray();
        var expected = alpha == 1.0
            ? -proportions.Sum(p => p * Math.Log2(p))
            : Math.Log2(proportions.Sum(p => Math.Pow(p, alpha))) / (1 - alpha);
        Precision.AssertClose(expected, new RenyiEstimator(new RenyiOptions(Alpha: alpha)).Entropy(labels), relTol: 1e-12);
    }

    [Fact]
    public void Entropy_DistinctPointsWithTinySigma_IsLog2N()
    {
        var x = new SampleMatrix([.. Enumerable.Range(0, 64 * 3).Select(i => (float)Math.Sin(i * 1.7))], 64, 3);
        Precision.AssertClose(6.0, new RenyiEstimator(new RenyiOptions(Sigma: 1e-4)).Entropy(x), relTol: 1e-12);
    }

    // I(X;X) = 2 S(A) - S(A o A / tr) equals S(A) when the kernel is idempotent under the Hadamard product: the
    // delta kernel, and the Gaussian kernel of distinct points as sigma -> 0 (A -> I / n). For a finite width A o A
    // is the Gram of width sigma / sqrt(2), and I(X;X) exceeds S(A).
    [Fact]
    public void MutualInformation_LabelColumnWithItsLabelsTinySigma_EqualsLabelEntropy()
    {
        var labels = Goldens.Get("iris").GetProperty("labels").Ints();
        var renyi = new RenyiEstimator(new RenyiOptions(Sigma: 1e-4));
        Precision.AssertClose(renyi.Entropy(labels), renyi.MutualInformation(SampleMatrix.FromLabels(labels), labels), relTol: 1e-12);
    }

    [Fact]
    public void MutualInformation_DistinctPointsWithItselfTinySigma_EqualsEntropy()
    {
        var x = new SampleMatrix([.. Enumerable.Range(0, 50 * 2).Select(i => (float)Math.Cos(i * 0.37))], 50, 2);
        var renyi = new RenyiEstimator(new RenyiOptions(Sigma: 1e-4));
        Precision.AssertClose(Math.Log2(50), renyi.MutualInformation(x, x), relTol: 1e-12);
    }

    [Fact]
    public void Entropy_IrisWithGivenSigma_MatchesNumpyEigvalsh()
    {
        var golden = Goldens.Get("renyi");
        var renyi = new RenyiEstimator(new RenyiOptions(Alpha: golden.Number("alpha"), Sigma: golden.Number("sigma")));
        Precision.AssertClose(golden.Number("entropy_bits"), renyi.Entropy(Goldens.Get("iris").Matrix()), relTol: 1e-6);
    }

    [Fact]
    public void MutualInformation_IrisAndTarget_MatchesNumpyEigvalsh()
    {
        var golden = Goldens.Get("renyi");
        var iris = Goldens.Get("iris");
        var renyi = new RenyiEstimator(new RenyiOptions(Alpha: golden.Number("alpha"), Sigma: golden.Number("sigma")));
        Precision.AssertClose(golden.Number("mi_labels_bits"), renyi.MutualInformation(iris.Matrix(), iris.GetProperty("labels").Ints()), relTol: 1e-6);
    }

    [Fact]
    public void MutualInformation_RepeatedOnTheParallelPath_IsBitIdentical()
    {
        var random = new Random(6);
        var x = new SampleMatrix([.. Enumerable.Range(0, 300 * 40).Select(_ => (float)random.NextDouble())], 300, 40);
        var labels = Enumerable.Range(0, 300).Select(i => i % 4).ToArray();
        var renyi = new RenyiEstimator();
        var first = renyi.MutualInformation(x, labels);
        var second = renyi.MutualInformation(x, labels);
        Assert.Equal(BitConverter.DoubleToInt64Bits(first), BitConverter.DoubleToInt64Bits(second));
    }

    [Fact]
    public void SigmaFor_OneColumn_IsScottsRule()
    {
        var values = new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
        var std = Math.Sqrt(values.Select(v => (v - 5.5) * (v - 5.5)).Average());
        Precision.AssertClose(std * Math.Pow(10, -1.0 / 5), new RenyiEstimator().SigmaFor(new SampleMatrix(values, 10, 1)), relTol: 1e-12);
    }
}
