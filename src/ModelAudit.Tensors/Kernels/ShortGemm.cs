using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// C = alpha * A B^T + beta * C with B stored [n, k] as it is (a Linear layer exported as Gemm with transB, a
/// squeeze-excitation 1x1 convolution on 1x1 maps): B is read as stored, two rows at a time against eight rows of A in
/// registers, with no packing, so at a small batch (a classifier on 8 samples) the product costs one read of the
/// weights. For more rows, blocks of B rows small enough to stay in L2 are swept by every group of eight rows of A.
/// While a pair of B rows is summed the next pair is prefetched a line per step when the weights exceed L2: they come
/// cold from memory in a forward pass, and mobilenet_v3's classifier (590K and 1M weights, batch 8) went from 0.28 and
/// 0.52-0.55 ms to 0.18 and 0.38-0.40 ms from a flushed cache at one thread (the whole forward 1.02-1.03x, in-process A/B).
/// Each C element is one thread's sum in a fixed order (sixteen lane sums over whole vectors, reduced across lanes,
/// then the tail in order), then alpha * s or alpha * s + beta * c as one fused multiply-add, as the blocked GEMM
/// finishes. The order differs from the blocked GEMM's, so results agree with it to rounding; they depend on neither
/// the thread count nor the number of rows (a sample's result is the same in any batch), which is why the choice of
/// this path depends on the shapes of B alone.
/// </summary>
internal static unsafe class ShortGemm
{
    /// <summary>Rows of A per pass: one register per row and B row, two B rows at a time.</summary>
    public const int RowsPerPass = 8;

    /// <summary>Floats of B per block swept by all row groups (256 KB: within L2 beside A's rows).</summary>
    private const int BlockFloats = 1 << 16;

    /// <summary>
    /// Weights (n * k floats) from which the next rows are prefetched: more than L2 holds (1 MiB), so they come from L3 or
    /// memory on every call. Smaller ones may stay in cache between calls, where the prefetches only cost (a 576 x 1024
    /// product read hot took 1.2x as long with them).
    /// </summary>
    private const long PrefetchFloats = 1L << 18;

    /// <summary>
    /// Weights (n * k floats) from which a Linear layer's Gemm takes this path: below, packing B costs the GEMM little
    /// (and a small model's results stay those of the GEMM); mobilenet's classifier holds 590K and 1M.
    /// </summary>
    public const long MinLinearWeights = 1L << 16;

    /// <summary>True for C = A B^T (A not transposed, B transposed) with a depth of at least one 16-float vector, on AVX-512 hardware; never decided by the number of rows.</summary>
    public static bool Applies(bool transA, bool transB, int m, int n, int k)
        => Vector512.IsHardwareAccelerated && !transA && transB && m > 0 && n > 0 && k >= 16;

    /// <summary>C[i, j] = alpha * sum over p of A[i, p] B[j, p] (+ beta * C[i, j] when beta is not 0).</summary>
    public static void Multiply(int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        CheckMatrix(a.Length, m, k, lda, nameof(a));
        CheckMatrix(b.Length, n, k, ldb, nameof(b));
        CheckMatrix(c.Length, m, n, ldc, nameof(c));
        fixed (float* pa = a, pb = b, pc = c)
        {
            float* sa = pa, sb = pb, sc = pc;
            int pairs = (n + 1) / 2, blockPairs = Math.Max(1, BlockFloats / (2 * k));
            bool prefetch = Sse.IsSupported && (long)n * k >= PrefetchFloats;
            KernelParallel.For(pairs, 2L * m * k, (first, end) =>
            {
                for (int block = first; block < end; block += blockPairs)
                    for (int i0 = 0; i0 < m; i0 += RowsPerPass)
                        Pairs(Math.Min(RowsPerPass, m - i0), n, k, alpha, sa + (long)i0 * lda, lda, sb, ldb, beta, sc + (long)i0 * ldc, ldc, block, Math.Min(end, block + blockPairs), prefetch);
            });
        }
    }

    private static void CheckMatrix(int length, int rows, int cols, int ld, string name)
    {
        if (ld < cols) throw new ArgumentOutOfRangeException(name, ld, $"Row stride must be at least {cols}.");
        KernelGuard.RequireLength(length, (long)(rows - 1) * ld + cols, name);
    }

    /// <summary>Columns 2 * pair and 2 * pair + 1 of C for pairs [first, end) and m (at most eight) rows; rows past m alias row 0 and are not stored, an odd last column pairs with itself.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Pairs(int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, int first, int end, bool prefetch)
    {
        float** rows = stackalloc float*[RowsPerPass];
        for (int i = 0; i < RowsPerPass; i++) rows[i] = a + (long)(i < m ? i : 0) * lda;
        float* a0 = rows[0], a1 = rows[1], a2 = rows[2], a3 = rows[3], a4 = rows[4], a5 = rows[5], a6 = rows[6], a7 = rows[7];
        float* sums = stackalloc float[2 * RowsPerPass];
        int whole = k & ~15;
        for (int pair = first; pair < end; pair++)
        {
            int j0 = 2 * pair, j1 = Math.Min(j0 + 1, n - 1);
            float* b0 = b + (long)j0 * ldb, b1 = b + (long)j1 * ldb;
            // The next pair's rows, a line of each per step, fetched while this pair's are summed: the weights arrive cold
            // from memory (the activations evicted them), and two streams alone were read at about 8 GB/s.
            float* next0 = b + (long)Math.Min(j0 + 2, n - 1) * ldb, next1 = b + (long)Math.Min(j0 + 3, n - 1) * ldb;
            Vector512<float> s00 = default, s10 = default, s20 = default, s30 = default, s40 = default, s50 = default, s60 = default, s70 = default;
            Vector512<float> s01 = default, s11 = default, s21 = default, s31 = default, s41 = default, s51 = default, s61 = default, s71 = default;
            for (int p = 0; p < whole; p += 16)
            {
                if (prefetch)
                {
                    Sse.Prefetch0(next0 + p);
                    Sse.Prefetch0(next1 + p);
                }
                var w0 = Vector512.Load(b0 + p);
                var w1 = Vector512.Load(b1 + p);
                var x = Vector512.Load(a0 + p); s00 = Vector512.FusedMultiplyAdd(x, w0, s00); s01 = Vector512.FusedMultiplyAdd(x, w1, s01);
                x = Vector512.Load(a1 + p); s10 = Vector512.FusedMultiplyAdd(x, w0, s10); s11 = Vector512.FusedMultiplyAdd(x, w1, s11);
                x = Vector512.Load(a2 + p); s20 = Vector512.FusedMultiplyAdd(x, w0, s20); s21 = Vector512.FusedMultiplyAdd(x, w1, s21);
                x = Vector512.Load(a3 + p); s30 = Vector512.FusedMultiplyAdd(x, w0, s30); s31 = Vector512.FusedMultiplyAdd(x, w1, s31);
                x = Vector512.Load(a4 + p); s40 = Vector512.FusedMultiplyAdd(x, w0, s40); s41 = Vector512.FusedMultiplyAdd(x, w1, s41);
                x = Vector512.Load(a5 + p); s50 = Vector512.FusedMultiplyAdd(x, w0, s50); s51 = Vector512.FusedMultiplyAdd(x, w1, s51);
                x = Vector512.Load(a6 + p); s60 = Vector512.FusedMultiplyAdd(x, w0, s60); s61 = Vector512.FusedMultiplyAdd(x, w1, s61);
                x = Vector512.Load(a7 + p); s70 = Vector512.FusedMultiplyAdd(x, w0, s70); s71 = Vector512.FusedMultiplyAdd(x, w1, s71);
            }
            sums[0] = Vector512.Sum(s00); sums[1] = Vector512.Sum(s10); sums[2] = Vector512.Sum(s20); sums[3] = Vector512.Sum(s30);
            sums[4] = Vector512.Sum(s40); sums[5] = Vector512.Sum(s50); sums[6] = Vector512.Sum(s60); sums[7] = Vector512.Sum(s70);
            sums[8] = Vector512.Sum(s01); sums[9] = Vector512.Sum(s11); sums[10] = Vector512.Sum(s21); sums[11] = Vector512.Sum(s31);
            sums[12] = Vector512.Sum(s41); sums[13] = Vector512.Sum(s51); sums[14] = Vector512.Sum(s61); sums[15] = Vector512.Sum(s71);
            for (int i = 0; i < m; i++)
            {
                Finish(sums[i], rows[i], b0, whole, k, alpha, beta, c + (long)i * ldc + j0);
                if (j1 != j0) Finish(sums[RowsPerPass + i], rows[i], b1, whole, k, alpha, beta, c + (long)i * ldc + j1);
            }
        }
    }

    /// <summary>Adds the depth past the whole vectors in order, then writes alpha * s (+ beta * c).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(float s, float* a, float* b, int from, int k, float alpha, float beta, float* c)
    {
        for (int p = from; p < k; p++) s = MathF.FusedMultiplyAdd(a[p], b[p], s);
        *c = beta == 0 ? alpha * s : MathF.FusedMultiplyAdd(s, alpha, beta * *c);
    }
}
