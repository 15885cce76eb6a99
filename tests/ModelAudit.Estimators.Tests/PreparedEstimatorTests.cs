namespace ModelAudit.Estimators.Tests;

/// <summary>
/// The Renyi estimator's prepared path (distances once, resamples and relabellings read from them) against the
/// plain path on copied rows. All rows in order go through the same distance product and width rule, so they agree
/// bit for bit. A resample's distances come from the full sample's centring instead of the resample's, and its width
/// from the distance identity sum_ij d_ij = 2 n^2 d var instead of per-feature sums: float rounding only, so 1e-6
/// relative (the estimates are O(1) bits; rounding of a float Gram product is about 1e-7).
/// </summary>
public sealed class PreparedEstimatorTests
{
    private static SampleMatrix Random(int rows, int cols, int seed)
    {
        var random = new Random(seed);
        var data = new float[rows * cols];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)(random.NextDouble() * 2 - 1 + (i % cols) * 0.1);
        }

        return new SampleMatrix(data, rows, cols);
    }

    private static int[] Labels(SampleMatrix x, int classes)
        => [.. Enumerable.Range(0, x.Rows).Select(i => Math.Abs((int)(x.Row(i)[0] * 1000)) % classes)];

    private static int[] Resample(int n, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => random.Next(n))];
    }

    [Fact]
    public void MutualInformation_AllRows_EqualsPlainPathBitForBit()
    {
        var estimator = new RenyiEstimator();
        var a = Random(96, 40, 1);
        var b = Random(96, 7, 2);
        var labels = Labels(a, 5);
        var pa = estimator.Prepare(a);
        Assert.Equal(estimator.MutualInformation(a, b), estimator.MutualInformation(pa, estimator.Prepare(b), null));
        Assert.Equal(estimator.MutualInformation(a, labels), estimator.MutualInformation(pa, labels, null));
        // The cached S(A) of a second relabelling gives what a fresh computation gives.
        var shuffled = (int[])labels.Clone();
        new Random(3).Shuffle(shuffled);
        Assert.Equal(estimator.MutualInformation(a, shuffled), estimator.MutualInformation(pa, shuffled, null));
    }

    [Theory]
    [InlineData(64, 12, null)]
    [InlineData(200, 300, null)]
    [InlineData(80, 5, 0.7)]
    public void MutualInformation_Resample_EqualsCopiedRows(int n, int d, double? sigma)
    {
        var estimator = new RenyiEstimator(new RenyiOptions(1.01, sigma));
        var a = Random(n, d, 4);
        var b = Random(n, 3, 5);
        var labels = Labels(b, 4);
        var rows = Resample(n, 6);
        var copied = a.SelectRows(rows);
        var pa = estimator.Prepare(a);
        Precision.AssertClose(estimator.MutualInformation(copied, b.SelectRows(rows)), estimator.MutualInformation(pa, estimator.Prepare(b), rows), relTol: 1e-6);
        Precision.AssertClose(estimator.MutualInformation(copied, [.. rows.Select(r => labels[r])]), estimator.MutualInformation(pa, labels, rows), relTol: 1e-6);
    }

    [Fact]
    public void OfMutualInformation_Renyi_EqualsSpreadOfCopiedResamples()
    {
        var estimator = new RenyiEstimator();
        var a = Random(120, 64, 7);
        var labels = Labels(a, 3);
        var viaCopies = BootstrapSpread.StandardDeviation(a.Rows,
            rows => estimator.MutualInformation(a.SelectRows(rows), [.. rows.Select(r => labels[r])]), resamples: 8, seed: 9);
        var prepared = BootstrapSpread.OfMutualInformation(estimator, a, labels, resamples: 8, seed: 9);
        Assert.True(prepared > 0);
        // The spread is a difference of nearby estimates, so it keeps less relative precision than the estimates.
        Precision.AssertClose(viaCopies, prepared, relTol: 1e-4);
    }

    [Fact]
    public void MutualInformation_OtherEstimatorsState_Throws()
    {
        var estimator = new RenyiEstimator();
        var x = Random(10, 2, 1);
        Assert.Throws<ArgumentException>(() => estimator.MutualInformation(new ForeignSamples(10), estimator.Prepare(x), null));
    }

    private sealed class ForeignSamples(int rows) : PreparedSamples(rows);
}
