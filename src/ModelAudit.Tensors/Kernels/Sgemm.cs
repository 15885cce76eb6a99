namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Single-precision general matrix multiply, row-major: C = alpha * op(A) * op(B) + beta * C, where
/// op(A) is m x k, op(B) is k x n and C is m x n. lda, ldb,
/// ldc are row strides of the matrices as stored (before transposition).
/// </summary>
internal static class Sgemm
{
    /// <summary>Computes C = alpha * op(A) op(B) + beta * C.</summary>
    public static void Multiply(
        bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        // Reference implementation; the packed, register-tiled kernel replaces it.
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += av * bv;
                }
                ref float cv = ref c[i * ldc + j];
                cv = beta == 0 ? alpha * sum : alpha * sum + beta * cv;
            }
        }
    }
}
