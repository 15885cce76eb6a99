namespace ModelAudit.Estimators.Tests;

/// <summary>
/// The matrix Renyi estimator on the layers that broke it: duplicated samples (the audit's sample count above the
/// distinct samples), constant units, all-zero maps, at N up to 4096. Expected values are exact identities.
/// </summary>
public sealed class RenyiDegenerateTests
{
    private static SampleMatrix Random(int rows, int cols, int seed)
    {
        var random = new Random(seed);
        var data = new float[rows * cols];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)random.NextDouble();
        }

        return new SampleMatrix(data, rows, cols);
    }

    private static SampleMatrix Tiled(SampleMatrix x, int copies, int extraRows = 0)
    {
        var data = new float[(x.Rows * copies + extraRows) * x.Cols];
        for (var c = 0; c < copies; c++)
        {
            x.Data.CopyTo(data, c * x.Data.Length);
        }

        x.Data.AsSpan(0, extraRows * x.Cols).CopyTo(data.AsSpan(copies * x.Data.Length));
        return new SampleMatrix(data, x.Rows * copies + extraRows, x.Cols);
    }

    [Theory]
    [InlineData(64, 2, 0)]
    [InlineData(64, 3, 8)]
    [InlineData(64, 4, 0)]
    [InlineData(50, 4, 0)]
    [InlineData(100, 10, 0)]
    public void Entropy_DuplicatedSamplesAutoWidth_FiniteAndAtMostLog2OfDistinct(int distinct, int copies, int extra)
    {
        // These threw "Tridiagonal QL iteration did not converge" before the convergence floor: the Gram matrix of
        // duplicated samples has a multiple zero eigenvalue.
        var x = Tiled(Random(distinct, 8, seed: 1), copies, extra);
        var labels = Enumerable.Range(0, x.Rows).Select(i => i % distinct % 10).ToArray();
        var estimator = new RenyiEstimator();
        var entropy = estimator.Entropy(x);
        var information = estimator.MutualInformation(x, labels);
        Assert.InRange(entropy, 0, Math.Log2(distinct) + 1e-9);
        Assert.InRange(information, 0, estimator.Entropy(labels) + 1e-9);
    }

    [Fact]
    public void Entropy_512DistinctSamplesEachEightTimes_EqualsTheDistinctSamplesAtN4096()
    {
        // K(tiled) = J_8 (x) K, so K / tr K has the eigenvalues of K / tr K of the distinct samples (and zeros):
        // the same entropy exactly. Fixed sigma, since the automatic width depends on N.
        var distinct = Random(512, 16, seed: 2);
        var estimator = new RenyiEstimator(new RenyiOptions(Sigma: 0.9));
        Precision.AssertClose(estimator.Entropy(distinct), estimator.Entropy(Tiled(distinct, 8)), relTol: 1e-9);
    }

    [Fact]
    public void MutualInformation_DuplicatedSamplesWithTheirLabels_EqualsTheDistinctSamples()
    {
        var distinct = Random(256, 8, seed: 3);
        var labels = Enumerable.Range(0, 256).Select(i => i * 7 % 10).ToArray();
        var estimator = new RenyiEstimator(new RenyiOptions(Sigma: 0.5));
        var tiledLabels = Enumerable.Range(0, 1024).Select(i => labels[i % 256]).ToArray();
        Precision.AssertClose(estimator.MutualInformation(distinct, labels), estimator.MutualInformation(Tiled(distinct, 4), tiledLabels), relTol: 1e-9);
    }

    [Fact]
    public void Entropy_AllZeroMapsAtN2048_IsZero()
    {
        // K is all ones: one eigenvalue 1, the rest 0.
        var zeros = new SampleMatrix(new float[2048 * 4], 2048, 4);
        var estimator = new RenyiEstimator();
        Assert.Equal(0, estimator.Entropy(zeros), 1e-9);
        Assert.Equal(0, estimator.MutualInformation(zeros, Enumerable.Range(0, 2048).Select(i => i % 10).ToArray()), 1e-9);
    }

    [Fact]
    public void Entropy_ConstantUnitsAdded_Unchanged()
    {
        // Constant columns add nothing to any distance, so with a fixed width the Gram matrix is the same. Squared
        // distances are formed as |a|^2 + |b|^2 - 2 a.b, where the constants' 26 per norm cancels: 1e-7 relative.
        var x = Random(300, 6, seed: 4);
        var widened = new float[300 * 9];
        for (var i = 0; i < 300; i++)
        {
            x.Row(i).CopyTo(widened.AsSpan(i * 9, 6));
            widened[i * 9 + 6] = 5f;
            widened[i * 9 + 8] = -1f;
        }

        var estimator = new RenyiEstimator(new RenyiOptions(Sigma: 0.7));
        Precision.AssertClose(estimator.Entropy(x), estimator.Entropy(new SampleMatrix(widened, 300, 9)), relTol: 1e-7);
    }

    [Fact]
    public void Entropy_CancelledToken_StopsInsideTheEigenSolver()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => SymmetricEigenvalues.Compute(new double[400 * 400], 400, cancellation.Token));
    }
}
