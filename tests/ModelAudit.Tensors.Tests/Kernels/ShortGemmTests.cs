using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors.Tests.Kernels;

[Collection(KernelParallelCollection.Name)]
public class ShortGemmTests
{
    /// <summary>
    /// Against float64 sums, for 1 to 19 rows, an odd number of columns (a column paired with itself) and depths with and
    /// without a tail past whole vectors; beta 0 over a C full of NaN (never read) and beta 0.5 over a real C. Tolerance
    /// 1e-5 relative to the sum of |products|: float32 sums of up to 1100 terms of [-1, 1] values in 16 lanes.
    /// </summary>
    [Theory]
    [InlineData(1, 7, 16)]
    [InlineData(3, 9, 17)]
    [InlineData(8, 33, 581)]
    [InlineData(5, 1, 48)]
    [InlineData(19, 70, 1100)] // three row groups, the last partial; blocks of 29 column pairs
    public void Multiply_RandomMatrices_MatchFloat64(int m, int n, int k)
    {
        Assert.True(ShortGemm.Applies(false, true, m, n, k) || !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated);
        if (!ShortGemm.Applies(false, true, m, n, k)) return;
        int lda = k + 3, ldb = k + 1, ldc = n + 2;
        float[] a = KernelAssert.Random(m * lda, m + n), b = KernelAssert.Random(n * ldb, k), start = KernelAssert.Random(m * ldc, 5);
        foreach (float beta in new[] { 0f, 0.5f })
        {
            float[] c = beta == 0 ? [.. Enumerable.Repeat(float.NaN, m * ldc)] : (float[])start.Clone();
            ShortGemm.Multiply(m, n, k, 1.5f, a, lda, b, ldb, beta, c, ldc);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double sum = 0, magnitude = 0;
                    for (int p = 0; p < k; p++)
                    {
                        sum += (double)a[i * lda + p] * b[j * ldb + p];
                        magnitude += Math.Abs((double)a[i * lda + p] * b[j * ldb + p]);
                    }
                    double expected = 1.5 * sum + beta * start[i * ldc + j];
                    Assert.True(Math.Abs(expected - c[i * ldc + j]) <= 1e-5 * (1.5 * magnitude + 1), $"C[{i}, {j}] = {c[i * ldc + j]}, expected {expected}");
                }
            // Padding between rows of C is left alone.
            for (int i = 0; i < m; i++)
                for (int j = n; j < ldc && i * ldc + j < c.Length; j++)
                    Assert.Equal(beta == 0 ? float.NaN : start[i * ldc + j], c[i * ldc + j]);
        }
    }

    [Fact]
    public void Multiply_OneVersusTwoThreads_BitIdentical()
    {
        const int m = 8, n = 1000, k = 1024;
        float[] a = KernelAssert.Random(m * k, 1), b = KernelAssert.Random(n * k, 2);
        float[] Run(int threads) => KernelAssert.WithThreads(threads, () =>
        {
            var c = new float[m * n];
            ShortGemm.Multiply(m, n, k, 1f, a, k, b, k, 0f, c, n);
            return c;
        });
        Assert.Equal(Run(1).Select(BitConverter.SingleToInt32Bits), Run(2).Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>A row of C is the same whatever the number of rows beside it (a sample's result does not depend on its batch): rows 0-4 of a 13-row product against a 5-row one.</summary>
    [Fact]
    public void Multiply_FewerRows_SameRowsBitForBit()
    {
        const int n = 37, k = 300;
        float[] a = KernelAssert.Random(13 * k, 7), b = KernelAssert.Random(n * k, 8);
        var all = new float[13 * n];
        var five = new float[5 * n];
        ShortGemm.Multiply(13, n, k, 1f, a, k, b, k, 0f, all, n);
        ShortGemm.Multiply(5, n, k, 1f, a, k, b, k, 0f, five, n);
        Assert.Equal(five.Select(BitConverter.SingleToInt32Bits), all.Take(5 * n).Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>
    /// The backend's Gemm takes this path for transposed weights of at least <see cref="ShortGemm.MinLinearWeights"/>
    /// floats (bit-identical to calling it), and the GEMM for smaller ones (bit-identical to Sgemm), at 3 and 40 rows alike.
    /// </summary>
    [Theory]
    [InlineData(3, 256, 256, true)]
    [InlineData(40, 256, 256, true)]
    [InlineData(3, 32, 256, false)]
    [InlineData(40, 32, 256, false)]
    public void CpuBackendGemm_WeightsSize_RoutesByShapeOfWeightsOnly(int m, int n, int k, bool shortPath)
    {
        if (!System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) return;
        Assert.Equal(shortPath, (long)n * k >= ShortGemm.MinLinearWeights);
        float[] a = KernelAssert.Random(m * k, 51), b = KernelAssert.Random(n * k, 52);
        using var ta = Tensor.FromArray(a, m, k);
        using var tb = Tensor.FromArray(b, n, k);
        var c = ComputeBackends.Cpu.Allocate(new TensorShape(m, n), clear: true);
        ComputeBackends.Cpu.Gemm(false, true, m, n, k, 1f, ta, 0, k, tb, 0, k, 0f, c, 0, n);
        var expected = new float[m * n];
        if (shortPath) ShortGemm.Multiply(m, n, k, 1f, a, k, b, k, 0f, expected, n);
        else Sgemm.Multiply(false, true, m, n, k, 1f, a, k, b, k, 0f, expected, n);
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), c.ToArray().Select(BitConverter.SingleToInt32Bits));
        c.Dispose();
    }

    [Theory]
    [InlineData(false, true, 8, 1000, 1024, true)]  // a classifier on a batch of 8
    [InlineData(false, true, 300, 1000, 1024, true)] // any number of rows: the choice never depends on the batch
    [InlineData(false, false, 8, 1000, 1024, false)]
    [InlineData(true, true, 8, 1000, 1024, false)]
    [InlineData(false, true, 8, 1000, 15, false)]   // depth below one vector
    public void Applies_Shapes_TimesTransposedOnly(bool transA, bool transB, int m, int n, int k, bool expected)
        => Assert.Equal(expected && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, ShortGemm.Applies(transA, transB, m, n, k));
}
