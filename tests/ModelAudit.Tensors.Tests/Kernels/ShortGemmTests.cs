using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors.Tests.Kernels;

[Collection(KernelParallelCollection.Name)]
public class ShortGemmTests
{
    /// <summary>
    /// Against float64 sums, for 1 to 8 rows, an odd number of columns (a column paired with itself) and depths with and
    /// without a tail past whole vectors; beta 0 over a C full of NaN (never read) and beta 0.5 over a real C. Tolerance
    /// 1e-5 relative to the sum of |products|: float32 sums of up to 581 terms of [-1, 1] values in 16 lanes.
    /// </summary>
    [Theory]
    [InlineData(1, 7, 16)]
    [InlineData(3, 9, 17)]
    [InlineData(8, 33, 581)]
    [InlineData(5, 1, 48)]
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
        float[] Run(int threads)
        {
            int before = KernelParallel.MaxDegree;
            KernelParallel.MaxDegree = threads;
            try
            {
                var c = new float[m * n];
                ShortGemm.Multiply(m, n, k, 1f, a, k, b, k, 0f, c, n);
                return c;
            }
            finally
            {
                KernelParallel.MaxDegree = before;
            }
        }
        Assert.Equal(Run(1).Select(BitConverter.SingleToInt32Bits), Run(2).Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(false, true, 8, 1000, 1024, true)]  // a classifier on a batch of 8
    [InlineData(false, true, 9, 1000, 1024, false)] // more rows: the blocked GEMM
    [InlineData(false, false, 8, 1000, 1024, false)]
    [InlineData(true, true, 8, 1000, 1024, false)]
    [InlineData(false, true, 8, 1000, 15, false)]   // depth below one vector
    public void Applies_Shapes_FewRowsTimesTransposedOnly(bool transA, bool transB, int m, int n, int k, bool expected)
        => Assert.Equal(expected && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, ShortGemm.Applies(transA, transB, m, n, k));
}
