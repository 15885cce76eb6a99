using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ModelAudit.Tensors.Kernels.Layout;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Packs blocks of op(A) and op(B) into the panel layouts the micro-kernels read: contiguous, with the
/// ragged edge zero-padded to a full MR or NR so every tile runs the same kernel.
/// </summary>
internal static unsafe class SgemmPack
{
    /// <summary>
    /// Packs op(A)[i0..i0+mc, p0..p0+kc] into ceil(mc/mr) panels of kc x mr (mr values per k step).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void A(bool trans, float* a, int lda, int i0, int mc, int p0, int kc, int mr, float* dst)
    {
        if (trans && mr == 6)
        {
            ATransposed6(a, lda, i0, mc, p0, kc, dst);
            return;
        }
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            if (trans)
            {
                // op(A)[i, p] = a[p * lda + i]: each k step is a contiguous run of rows.
                float* src = a + (long)p0 * lda + i0 + ir;
                for (int p = 0; p < kc; p++, src += lda, dst += mr)
                {
                    int r = 0;
                    for (; r < rows; r++) dst[r] = src[r];
                    for (; r < mr; r++) dst[r] = 0;
                }
            }
            else if (mr == 6 && Avx.IsSupported)
            {
                PackRowsPanel6(a + (long)(i0 + ir) * lda + p0, lda, rows, kc, dst);
                dst += (long)kc * mr;
            }
            else
            {
                // Walk k in the outer loop so the writes are sequential; the mr row streams prefetch well.
                float* src = a + (long)(i0 + ir) * lda + p0;
                for (int p = 0; p < kc; p++, dst += mr)
                {
                    float* column = src + p;
                    int r = 0;
                    for (; r < rows; r++) dst[r] = column[(long)r * lda];
                    for (; r < mr; r++) dst[r] = 0;
                }
            }
        }
    }

    /// <summary>
    /// <see cref="A"/> for a transposed A in 6-row panels: op(A)[i, p] = a[p * lda + i], so each k step reads one
    /// contiguous run of mc floats and deals it out to the panels, 6 floats (a 4- and a 2-float copy) each. Panel by
    /// panel instead, each k step read 24 bytes at a stride of lda: with lda a multiple of 1 KiB (W^T in a 1x1
    /// convolution's input gradient) those reads fell into a few cache sets, and packing took 12-18% of resnet50's
    /// 14x14 1x1 GEMMs.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ATransposed6(float* a, int lda, int i0, int mc, int p0, int kc, float* dst)
    {
        int fullPanels = mc / 6, tail = mc - fullPanels * 6;
        long panelStride = (long)kc * 6;
        float* src = a + (long)p0 * lda + i0;
        for (int p = 0; p < kc; p++, src += lda)
        {
            float* s = src, d = dst + (long)p * 6;
            for (int q = 0; q < fullPanels; q++, s += 6, d += panelStride)
            {
                Vector128.Store(Vector128.Load(s), d);
                *(ulong*)(d + 4) = *(ulong*)(s + 4);
            }
            if (tail > 0)
            {
                int r = 0;
                for (; r < tail; r++) d[r] = s[r];
                for (; r < 6; r++) d[r] = 0;
            }
        }
    }

    /// <summary>
    /// One 6-row panel of an untransposed A: dst[p * 6 + r] = src[r * lda + p] (rows past <paramref name="rows"/> zero),
    /// eight k steps at a time by an 8 x 8 register transpose of six row vectors and two zero vectors. Each step's
    /// 8-float store runs 2 floats past its 6, into the next step's place, which the next store overwrites; the last
    /// step's 2 spill floats land in the next panel (packed afterwards) or the workspace's slack.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void PackRowsPanel6(float* src, int lda, int rows, int kc, float* dst)
    {
        const int Mr = 6;
        float* r0 = src, r1 = src + lda, r2 = src + 2L * lda, r3 = src + 3L * lda, r4 = src + 4L * lda, r5 = src + 5L * lda;
        int p = 0;
        if (rows == Mr)
        {
            for (; p + 8 <= kc; p += 8)
            {
                Transpose8x8(
                    Avx.LoadVector256(r0 + p), Avx.LoadVector256(r1 + p), Avx.LoadVector256(r2 + p), Avx.LoadVector256(r3 + p),
                    Avx.LoadVector256(r4 + p), Avx.LoadVector256(r5 + p), Vector256<float>.Zero, Vector256<float>.Zero,
                    dst + (long)p * Mr, Mr);
            }
        }
        for (; p < kc; p++)
        {
            float* d = dst + (long)p * Mr;
            int r = 0;
            for (; r < rows; r++) d[r] = src[(long)r * lda + p];
            for (; r < Mr; r++) d[r] = 0;
        }
    }

    /// <summary>
    /// Packs op(B)[p0..p0+kc, j0..j0+nc] into ceil(nc/nr) panels of kc x nr (nr values per k step).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void B(bool trans, float* b, int ldb, int p0, int kc, int j0, int nc, int nr, float* dst)
    {
        if (!trans)
        {
            PanelsByRows(new StridedRows(b + (long)p0 * ldb + j0, ldb), kc, nc, nr, dst);
            return;
        }
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            // op(B)[p, j] = b[j * ldb + p]: each column is a contiguous run of k.
            float* src = b + (long)(j0 + jr) * ldb + p0;
            if (cols == nr && Avx.IsSupported)
            {
                PackTransposedPanel(src, ldb, kc, nr, dst);
                dst += kc * nr;
                continue;
            }
            for (int j = 0; j < cols; j++)
            {
                float* col = src + (long)j * ldb;
                float* d = dst + j;
                for (int p = 0; p < kc; p++) d[p * nr] = col[p];
            }
            for (int j = cols; j < nr; j++)
            {
                for (int p = 0; p < kc; p++) dst[p * nr + j] = 0;
            }
            dst += kc * nr;
        }
    }

    /// <summary>
    /// Packs B[p0..p0+kc, j0..j0+nc] where row p of B starts at <paramref name="rows"/>[p] (rows need not be evenly
    /// spaced: a convolution's shifted input rows), into ceil(nc/nr) panels of kc x nr, the ragged last panel
    /// zero-padded. The same layout as <see cref="B"/>, so the multiply that follows is the same arithmetic.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void BRows(float** rows, int p0, int kc, int j0, int nc, int nr, float* dst)
        => PanelsByRows(new RowPointers(rows + p0, j0), kc, nc, nr, dst);

    /// <summary>
    /// Packs kc rows of nc floats (row p at <typeparamref name="TRows"/>.Row(p)) into ceil(nc/nr) panels of kc x nr, the
    /// ragged last panel zero-padded. Row by row, each row read once from start to end and dealt out to the panels: a
    /// panel at a time read 256 bytes from each of kc rows a few KiB apart, which the prefetcher does not follow from
    /// memory (a convolution's input arrives cold). resnet50's 512->128 1x1 at 28x28 1.05x at one thread, 1.17x at two;
    /// its 1024->256 at 14x14 1.03x and 1.06x (in-process A/B, the whole convolution).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void PanelsByRows<TRows>(TRows rows, int kc, int nc, int nr, float* dst)
        where TRows : struct, IRowSource
    {
        int full = nc / nr, cols = nc - full * nr;
        long panel = (long)kc * nr;
        for (int p = 0; p < kc; p++)
        {
            float* src = rows.Row(p);
            float* d = dst + (long)p * nr;
            for (int q = 0; q < full; q++, src += nr, d += panel) ShortCopy.Apply(src, d, nr);
            if (cols == 0) continue;
            int j = 0;
            for (; j < cols; j++) d[j] = src[j];
            for (; j < nr; j++) d[j] = 0;
        }
    }

    /// <summary>Where the row packer finds row p of B (at its first packed column).</summary>
    private interface IRowSource
    {
        /// <summary>Row <paramref name="p"/> of the block.</summary>
        float* Row(int p);
    }

    /// <summary>B stored row-major: row p at <c>first + p * ldb</c>.</summary>
    private readonly struct StridedRows(float* first, long ldb) : IRowSource
    {
        private readonly float* _first = first;
        private readonly long _ldb = ldb;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float* Row(int p) => _first + p * _ldb;
    }

    /// <summary>B as row pointers (a convolution's shifted input rows): row p at <c>rows[p] + column</c>.</summary>
    private readonly struct RowPointers(float** rows, int column) : IRowSource
    {
        private readonly float** _rows = rows;
        private readonly int _column = column;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float* Row(int p) => _rows[p] + _column;
    }

    /// <summary>
    /// Full panel of a transposed B: dst[p * nr + j] = src[j * ldb + p], by 16 x 16 (AVX-512) or 8 x 8 register
    /// transposes so both the reads (rows of the stored B) and the writes (rows of the panel) stay contiguous. With
    /// AVX-512 each read is a whole 64-byte line of a row: 8 x 8 blocks read half a line, and with ldb a multiple of
    /// 1 KiB the panel's 64 rows fall into a few cache sets, so the line was often evicted before its other half was
    /// read. A weight gradient dY col^T on a 32x32 map (64 x 576 x 1024) 1.19x, on 56x56 1.12x, a 1000 x 1024 B^T at
    /// 8 rows 1.58x, others 1.01-1.04x (one thread, in-process A/B).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void PackTransposedPanel(float* src, int ldb, int kc, int nr, float* dst)
    {
        int p = 0;
        if (Avx512F.IsSupported && nr % 16 == 0)
        {
            for (; p + 16 <= kc; p += 16)
            {
                for (int j = 0; j < nr; j += 16)
                {
                    float* s = src + (long)j * ldb + p;
                    Vector512<float> r0 = Vector512.Load(s), r1 = Vector512.Load(s + ldb), r2 = Vector512.Load(s + 2L * ldb), r3 = Vector512.Load(s + 3L * ldb);
                    Vector512<float> r4 = Vector512.Load(s + 4L * ldb), r5 = Vector512.Load(s + 5L * ldb), r6 = Vector512.Load(s + 6L * ldb), r7 = Vector512.Load(s + 7L * ldb);
                    Vector512<float> r8 = Vector512.Load(s + 8L * ldb), r9 = Vector512.Load(s + 9L * ldb), r10 = Vector512.Load(s + 10L * ldb), r11 = Vector512.Load(s + 11L * ldb);
                    Vector512<float> r12 = Vector512.Load(s + 12L * ldb), r13 = Vector512.Load(s + 13L * ldb), r14 = Vector512.Load(s + 14L * ldb), r15 = Vector512.Load(s + 15L * ldb);
                    Transpose16.Apply(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, ref r8, ref r9, ref r10, ref r11, ref r12, ref r13, ref r14, ref r15);
                    float* d = dst + (long)p * nr + j;
                    r0.Store(d); r1.Store(d + nr); r2.Store(d + 2L * nr); r3.Store(d + 3L * nr);
                    r4.Store(d + 4L * nr); r5.Store(d + 5L * nr); r6.Store(d + 6L * nr); r7.Store(d + 7L * nr);
                    r8.Store(d + 8L * nr); r9.Store(d + 9L * nr); r10.Store(d + 10L * nr); r11.Store(d + 11L * nr);
                    r12.Store(d + 12L * nr); r13.Store(d + 13L * nr); r14.Store(d + 14L * nr); r15.Store(d + 15L * nr);
                }
            }
        }
        for (; p + 8 <= kc; p += 8)
        {
            for (int j = 0; j < nr; j += 8)
            {
                float* s = src + (long)j * ldb + p;
                Transpose8x8(
                    Avx.LoadVector256(s), Avx.LoadVector256(s + ldb), Avx.LoadVector256(s + 2L * ldb), Avx.LoadVector256(s + 3L * ldb),
                    Avx.LoadVector256(s + 4L * ldb), Avx.LoadVector256(s + 5L * ldb), Avx.LoadVector256(s + 6L * ldb), Avx.LoadVector256(s + 7L * ldb),
                    dst + (long)p * nr + j, nr);
            }
        }
        for (; p < kc; p++)
        {
            for (int j = 0; j < nr; j++) dst[(long)p * nr + j] = src[(long)j * ldb + p];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(
        Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* dst, int stride)
    {
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + stride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * stride, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * stride, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * stride, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * stride, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * stride, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * stride, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>
    /// Length of a k x n op(B) in prepacked layout: for each depth block of <see cref="Sgemm.BlockK"/> rows
    /// (the last may be shorter, kc rows), ceil(n/nr) panels of kc x nr, columns past n zero.
    /// </summary>
    public static long PrepackedLength(int k, int n, int nr) => (long)k * ((n + nr - 1) / nr) * nr;

    /// <summary>Offset of the panel holding row <paramref name="p0"/> (a depth-block start) and column <paramref name="j"/> (a multiple of nr).</summary>
    public static long PrepackedOffset(int k, int n, int nr, int p0, int j)
    {
        int panels = (n + nr - 1) / nr;
        int kc = Math.Min(Sgemm.BlockK, k - p0);
        return (long)p0 * panels * nr + (long)(j / nr) * kc * nr;
    }
}
