using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha,
        Tensor a, int aOffset, int lda, Tensor b, int bOffset, int ldb,
        float beta, Tensor c, int cOffset, int ldc)
        => Sgemm.Multiply(transA, transB, m, n, k, alpha, a.Span[aOffset..], lda, b.Span[bOffset..], ldb, beta, c.Span[cOffset..], ldc);
}
