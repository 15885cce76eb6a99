using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    /// <remarks>
    /// A times a transposed B of at least <see cref="ShortGemm.MinLinearWeights"/> floats (a large Linear layer) reads B as
    /// stored, unpacked (<see cref="ShortGemm"/>: at a small batch, one read of the weights); chosen by B's shape alone.
    /// </remarks>
    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha,
        Tensor a, int aOffset, int lda, Tensor b, int bOffset, int ldb,
        float beta, Tensor c, int cOffset, int ldc)
    {
        if (ShortGemm.Applies(transA, transB, m, n, k) && (long)n * k >= ShortGemm.MinLinearWeights)
            ShortGemm.Multiply(m, n, k, alpha, a.Span[aOffset..], lda, b.Span[bOffset..], ldb, beta, c.Span[cOffset..], ldc);
        else
            Sgemm.Multiply(transA, transB, m, n, k, alpha, a.Span[aOffset..], lda, b.Span[bOffset..], ldb, beta, c.Span[cOffset..], ldc);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Small products (the unpacked path) run in parallel over products, each on one thread; larger ones one
    /// after another, each parallelised inside. Either way every product is summed in Gemm's order.
    /// </remarks>
    public void GemmBatched(bool transA, bool transB, int m, int n, int k, float alpha,
        Tensor a, int[] aOffsets, int lda, Tensor b, int[] bOffsets, int ldb,
        float beta, Tensor c, int[] cOffsets, int ldc)
    {
        ArgumentNullException.ThrowIfNull(aOffsets);
        ArgumentNullException.ThrowIfNull(bOffsets);
        ArgumentNullException.ThrowIfNull(cOffsets);
        int count = cOffsets.Length;
        if (aOffsets.Length != count || bOffsets.Length != count)
            throw new ArgumentException($"Offset counts differ: A {aOffsets.Length}, B {bOffsets.Length}, C {cOffsets.Length}.");
        long work = (long)m * n * Math.Max(k, 1);
        if (!Sgemm.IsSmall(m, n, k))
        {
            for (int p = 0; p < count; p++)
                Gemm(transA, transB, m, n, k, alpha, a, aOffsets[p], lda, b, bOffsets[p], ldb, beta, c, cOffsets[p], ldc);
            return;
        }
        KernelParallel.For(count, work, (first, end) =>
        {
            for (int p = first; p < end; p++)
                Sgemm.Multiply(transA, transB, m, n, k, alpha, a.Span[aOffsets[p]..], lda, b.Span[bOffsets[p]..], ldb, beta, c.Span[cOffsets[p]..], ldc, parallel: false);
        });
    }
}
