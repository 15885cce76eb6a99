using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Single-precision general matrix multiply, row-major: C = alpha * op(A) * op(B) + beta * C, where
/// op(A) is m x k, op(B) is k x n and C is m x n. lda, ldb,
/// ldc are row strides of the matrices as stored (before transposition).
/// </summary>
/// <remarks>
/// Goto/BLIS structure: a BlockK x BlockN panel of op(B) and a BlockM x BlockK block of op(A) are packed,
/// then an MR x NR register-tiled micro-kernel sweeps the block. Threads own disjoint column (or row)
/// ranges of C and every element is summed in the same order (k blocks ascending, p ascending inside a
/// block), so the result does not depend on the thread count.
/// </remarks>
internal static unsafe class Sgemm
{
    /// <summary>Depth of a packed block (k extent).</summary>
    internal const int BlockK = 256;

    /// <summary>Dot products shorter than this are summed sequentially on the unpacked path.</summary>
    private const int ShortDot = 8;

    /// <summary>Problems with m * n * k up to this size take the simple unpacked path.</summary>
    private const long SmallWork = 1L << 15;

    /// <summary>
    /// Below this many multiply-adds (tens of microseconds on one core) a blocked multiply stays on the
    /// calling thread: waking a second worker would cost about as much as it saves.
    /// </summary>
    private const long MinParallelWork = 1L << 20;

    /// <summary>Rows of the register tile.</summary>
    internal static int MR => 6;

    // AVX-512: 6 x 64 (24 zmm accumulators; per k step 4 loads of B and 6 broadcasts of A for 24 FMAs). On this
    // Zen 5 machine it measured 10-17% more GFLOP per CPU-second than the former 8 x 48 tile on the 3x3 and 1x1
    // convolution benchmarks (fewer loads per FMA); a ragged last panel runs 16- or 32-wide variants.
    // AVX2: 6 x 16 (12 ymm accumulators).

    /// <summary>Columns of the register tile.</summary>
    internal static int NR => Avx512F.IsSupported ? SgemmMicroKernel.PanelWidth : 16;

    /// <summary>Rows of a packed A block (a whole number of MR-row panels).</summary>
    internal static int BlockM => MR * 16;

    /// <summary>Columns of a packed B panel (a whole number of NR-column panels).</summary>
    internal static int BlockN => NR * 64;

    /// <summary>Computes C = alpha * op(A) op(B) + beta * C.</summary>
    public static void Multiply(
        bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
        => Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, parallel: true);

    /// <summary>
    /// Computes C = alpha * op(A) op(B) + beta * C, on the calling thread only when
    /// <paramref name="parallel"/> is false (for callers that already parallelise an outer loop).
    /// </summary>
    internal static void Multiply(
        bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc, bool parallel)
        => Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, parallel, default);

    /// <summary>
    /// Computes C = alpha * op(A) op(B) + beta * C and applies <paramref name="epilogue"/> to each C tile while it is
    /// hot (a bias needs beta = 0; the residual is read at the same offsets as C).
    /// </summary>
    internal static void Multiply(
        bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc, bool parallel, in GemmEpilogue epilogue)
    {
        KernelGuard.RequireNonNegative(m, nameof(m));
        KernelGuard.RequireNonNegative(n, nameof(n));
        KernelGuard.RequireNonNegative(k, nameof(k));
        CheckMatrix(a.Length, transA ? k : m, transA ? m : k, lda, nameof(a), nameof(lda));
        CheckMatrix(b.Length, transB ? n : k, transB ? k : n, ldb, nameof(b), nameof(ldb));
        CheckMatrix(c.Length, m, n, ldc, nameof(c), nameof(ldc));
        if (m == 0 || n == 0) return;

        fixed (float* pa = a, pb = b, pc = c)
        {
            var args = new GemmArguments(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, epilogue: epilogue);
            if (k == 0 || alpha == 0)
            {
                ScaleC(args);
                ApplyWhole(args);
            }
            else if (IsSmall(m, n, k))
            {
                MultiplySimple(args, parallel);
                ApplyWhole(args);
            }
            else
            {
                MultiplyBlocked(args, parallel);
            }
        }
    }

    /// <summary>
    /// Computes C = alpha * op(A) B + beta * C where the k x n matrix B is already in the prepacked layout
    /// (<see cref="SgemmPack.PrepackedLength"/>), e.g. written there directly by im2col. Results are bitwise
    /// identical to <see cref="Multiply(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int, bool)"/>
    /// on the blocked path.
    /// </summary>
    internal static void MultiplyPrepacked(
        bool transA, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> prepackedB, float beta, Span<float> c, int ldc, bool parallel)
        => MultiplyPrepacked(transA, m, n, k, alpha, a, lda, prepackedB, beta, c, ldc, parallel, default);

    /// <summary>
    /// <see cref="MultiplyPrepacked(bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, float, Span{float}, int, bool)"/>
    /// with <paramref name="epilogue"/> applied to each C tile while it is hot.
    /// </summary>
    internal static void MultiplyPrepacked(
        bool transA, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> prepackedB, float beta, Span<float> c, int ldc, bool parallel, in GemmEpilogue epilogue)
    {
        KernelGuard.RequireNonNegative(m, nameof(m));
        KernelGuard.RequireNonNegative(n, nameof(n));
        KernelGuard.RequireNonNegative(k, nameof(k));
        CheckMatrix(a.Length, transA ? k : m, transA ? m : k, lda, nameof(a), nameof(lda));
        KernelGuard.RequireLength(prepackedB.Length, SgemmPack.PrepackedLength(k, n, NR), nameof(prepackedB));
        CheckMatrix(c.Length, m, n, ldc, nameof(c), nameof(ldc));
        if (m == 0 || n == 0) return;

        fixed (float* pa = a, pb = prepackedB, pc = c)
        {
            var args = new GemmArguments(transA, false, m, n, k, alpha, pa, lda, null, n, beta, pc, ldc, pb, epilogue);
            if (k == 0 || alpha == 0)
            {
                ScaleC(args);
                ApplyWhole(args);
            }
            else
            {
                MultiplyBlocked(args, parallel);
            }
        }
    }

    /// <summary>
    /// Computes C = alpha * op(A) B + beta * C where row p of the k x n matrix B is the n floats at
    /// <paramref name="bRows"/>[p] (a convolution's shifted input rows: no column matrix is built). Always the blocked
    /// path, so the result is bitwise what <see cref="MultiplyPrepacked(bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, float, Span{float}, int, bool, in GemmEpilogue)"/>
    /// gives for the same B. The caller guarantees every row holds n readable floats.
    /// </summary>
    internal static void MultiplyRows(
        bool transA, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        float** bRows, float beta, Span<float> c, int ldc, bool parallel, in GemmEpilogue epilogue)
    {
        KernelGuard.RequireNonNegative(m, nameof(m));
        KernelGuard.RequireNonNegative(n, nameof(n));
        KernelGuard.RequireNonNegative(k, nameof(k));
        CheckMatrix(a.Length, transA ? k : m, transA ? m : k, lda, nameof(a), nameof(lda));
        CheckMatrix(c.Length, m, n, ldc, nameof(c), nameof(ldc));
        if (k > 0 && bRows == null) throw new ArgumentNullException(nameof(bRows));
        if (m == 0 || n == 0) return;

        fixed (float* pa = a, pc = c)
        {
            var args = new GemmArguments(transA, false, m, n, k, alpha, pa, lda, null, n, beta, pc, ldc, null, epilogue, bRows);
            if (k == 0 || alpha == 0)
            {
                ScaleC(args);
                ApplyWhole(args);
            }
            else
            {
                MultiplyBlocked(args, parallel);
            }
        }
    }

    private static void CheckMatrix(int length, int rows, int cols, int ld, string name, string ldName)
    {
        if (ld < Math.Max(1, cols))
            throw new ArgumentOutOfRangeException(ldName, ld, $"Row stride must be at least {Math.Max(1, cols)}.");
        long required = rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
        KernelGuard.RequireLength(length, required, name);
    }

    private static void ScaleC(in GemmArguments g)
    {
        for (int i = 0; i < g.M; i++)
        {
            var row = new Span<float>(g.C + (long)i * g.Ldc, g.N);
            if (g.Beta == 0) row.Clear();
            else if (g.Beta != 1) TensorPrimitives.Multiply(row, g.Beta, row);
        }
    }

    /// <summary>The epilogue over the whole of C, for the paths that do not work in tiles.</summary>
    private static void ApplyWhole(in GemmArguments g)
    {
        if (g.Epilogue.RowBias != null) g.Epilogue.AddBias(g.C, g.Ldc, 0, g.M, g.N);
        if (g.Epilogue.HasTail) g.Epilogue.ApplyTail(g.C, 0, g.Ldc, g.M, g.N);
    }

    /// <summary>True when a product takes the unpacked path.</summary>
    internal static bool IsSmall(int m, int n, int k) => (long)m * n * k <= SmallWork || m < 3;

    /// <summary>
    /// Unpacked path for small or skinny problems. Large skinny problems (a matrix-vector product) split the
    /// columns of C across threads; every element is still the same p-ordered sum.
    /// </summary>
    private static void MultiplySimple(GemmArguments g, bool parallel)
    {
        long workPerColumn = (long)g.M * g.K;
        if (!parallel || KernelParallel.ChunkCount(g.N, workPerColumn) <= 1)
        {
            MultiplySimpleColumns(g, 0, g.N);
            return;
        }
        KernelParallel.For(g.N, workPerColumn, (first, end) => MultiplySimpleColumns(g, first, end));
    }

    /// <summary>
    /// Columns [j0, j1) of C on the unpacked path. Without B transposed: per column, acc = sum over p
    /// ascending of fused a[i,p] * b[p,j] (vectorised across columns, or across rows for a single column of
    /// A^T b, which leaves each element's order unchanged); with B transposed: dot products (sequential
    /// fused sums below <see cref="ShortDot"/> terms).
    /// </summary>
    private static void MultiplySimpleColumns(in GemmArguments g, int j0, int j1)
    {
        if (g.TransB && g.K == 1 && g.Ldb == 1)
        {
            // A length-1 dot per element: op(B) is the contiguous 1 x n row B itself.
            MultiplySimpleRows(new GemmArguments(g.TransA, false, g.M, g.N, g.K, g.Alpha, g.A, g.Lda, g.B, g.N, g.Beta, g.C, g.Ldc), j0, j1);
            return;
        }
        if (!g.TransB)
        {
            if (g.TransA && g.N == 1) MultiplySimpleColumn(g);
            else MultiplySimpleRows(g, j0, j1);
            return;
        }
        int width = j1 - j0;
        float[] rented = ArrayPool<float>.Shared.Rent(g.K + width);
        try
        {
            Span<float> aRow = rented.AsSpan(0, g.K);
            Span<float> acc = rented.AsSpan(g.K, width);
            for (int i = 0; i < g.M; i++)
            {
                if (g.TransA)
                {
                    for (int p = 0; p < g.K; p++) aRow[p] = g.A[(long)p * g.Lda + i];
                }
                else
                {
                    new ReadOnlySpan<float>(g.A + (long)i * g.Lda, g.K).CopyTo(aRow);
                }

                if (g.K < ShortDot)
                {
                    // Sequential fused sums: a vector dot's setup costs more than these few terms.
                    for (int j = 0; j < width; j++)
                    {
                        float* bRow = g.B + (long)(j0 + j) * g.Ldb;
                        float sum = 0;
                        for (int p = 0; p < g.K; p++) sum = MathF.FusedMultiplyAdd(aRow[p], bRow[p], sum);
                        acc[j] = sum;
                    }
                }
                else
                {
                    for (int j = 0; j < width; j++) acc[j] = TensorPrimitives.Dot(aRow, new ReadOnlySpan<float>(g.B + (long)(j0 + j) * g.Ldb, g.K));
                }

                var cRow = new Span<float>(g.C + (long)i * g.Ldc + j0, width);
                if (g.Beta == 0)
                {
                    TensorPrimitives.Multiply(acc, g.Alpha, cRow);
                }
                else
                {
                    for (int j = 0; j < width; j++) cRow[j] = MathF.FusedMultiplyAdd(g.Alpha, acc[j], g.Beta * cRow[j]);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// A^T b for a single column (n = 1) with A stored k x m: 16 rows of C at a time, each summed over p
    /// ascending with fused multiply-adds (the scalar order, vectorised across rows).
    /// </summary>
    private static void MultiplySimpleColumn(in GemmArguments g)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= g.M; i += 16)
            {
                var acc = Vector512<float>.Zero;
                for (int p = 0; p < g.K; p++)
                    acc = Vector512.FusedMultiplyAdd(Vector512.Create(g.B[(long)p * g.Ldb]), Vector512.Load(g.A + (long)p * g.Lda + i), acc);
                for (int r = 0; r < 16; r++)
                {
                    float* c = g.C + (long)(i + r) * g.Ldc;
                    *c = g.Beta == 0 ? acc[r] * g.Alpha : MathF.FusedMultiplyAdd(g.Alpha, acc[r], g.Beta * *c);
                }
            }
        }
        for (; i < g.M; i++)
        {
            float acc = 0;
            for (int p = 0; p < g.K; p++) acc = MathF.FusedMultiplyAdd(g.B[(long)p * g.Ldb], g.A[(long)p * g.Lda + i], acc);
            float* c = g.C + (long)i * g.Ldc;
            *c = g.Beta == 0 ? acc * g.Alpha : MathF.FusedMultiplyAdd(g.Alpha, acc, g.Beta * *c);
        }
    }

    /// <summary>C[i, 0] from its accumulator.</summary>
    private static void StoreOne(in GemmArguments g, int i, float acc)
    {
        float* c = g.C + (long)i * g.Ldc;
        *c = g.Beta == 0 ? acc * g.Alpha : MathF.FusedMultiplyAdd(g.Alpha, acc, g.Beta * *c);
    }

    /// <summary>The untransposed-B unpacked path on columns [j0, j1): 16-, 8- and 1-wide column blocks, each summed over p ascending.</summary>
    private static void MultiplySimpleRows(in GemmArguments g, int j0, int j1)
    {
        long aRowStride = g.TransA ? 1 : g.Lda, aColStride = g.TransA ? g.Lda : 1;
        int i = 0;
        if (j0 == 0 && j1 == 1)
        {
            // A matrix-vector product: four rows' chains interleaved to hide the FMA latency (same order per row).
            for (; i + 4 <= g.M; i += 4)
            {
                float* a0 = g.A + i * aRowStride, a1 = a0 + aRowStride, a2 = a1 + aRowStride, a3 = a2 + aRowStride;
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                for (int p = 0; p < g.K; p++)
                {
                    float bp = g.B[(long)p * g.Ldb];
                    long at = p * aColStride;
                    s0 = MathF.FusedMultiplyAdd(bp, a0[at], s0);
                    s1 = MathF.FusedMultiplyAdd(bp, a1[at], s1);
                    s2 = MathF.FusedMultiplyAdd(bp, a2[at], s2);
                    s3 = MathF.FusedMultiplyAdd(bp, a3[at], s3);
                }
                StoreOne(g, i, s0);
                StoreOne(g, i + 1, s1);
                StoreOne(g, i + 2, s2);
                StoreOne(g, i + 3, s3);
            }
        }
        for (; i < g.M; i++)
        {
            float* a = g.A + i * aRowStride;
            float* cRow = g.C + (long)i * g.Ldc;
            int j = j0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j + 16 <= j1; j += 16)
                {
                    var acc = Vector512<float>.Zero;
                    for (int p = 0; p < g.K; p++)
                        acc = Vector512.FusedMultiplyAdd(Vector512.Load(g.B + (long)p * g.Ldb + j), Vector512.Create(a[p * aColStride]), acc);
                    var result = g.Beta == 0 ? acc * g.Alpha : Vector512.FusedMultiplyAdd(Vector512.Create(g.Alpha), acc, Vector512.Load(cRow + j) * g.Beta);
                    result.Store(cRow + j);
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                for (; j + 8 <= j1; j += 8)
                {
                    var acc = Vector256<float>.Zero;
                    for (int p = 0; p < g.K; p++)
                        acc = Vector256.FusedMultiplyAdd(Vector256.Load(g.B + (long)p * g.Ldb + j), Vector256.Create(a[p * aColStride]), acc);
                    var result = g.Beta == 0 ? acc * g.Alpha : Vector256.FusedMultiplyAdd(Vector256.Create(g.Alpha), acc, Vector256.Load(cRow + j) * g.Beta);
                    result.Store(cRow + j);
                }
            }
            for (; j < j1; j++)
            {
                float acc = 0;
                for (int p = 0; p < g.K; p++) acc = MathF.FusedMultiplyAdd(g.B[(long)p * g.Ldb + j], a[p * aColStride], acc);
                cRow[j] = g.Beta == 0 ? acc * g.Alpha : MathF.FusedMultiplyAdd(g.Alpha, acc, g.Beta * cRow[j]);
            }
        }
    }

    private static void MultiplyBlocked(GemmArguments g, bool parallel)
    {
        int mr = MR, nr = NR;
        int mTiles = (g.M + mr - 1) / mr, nTiles = (g.N + nr - 1) / nr;
        bool splitColumns = SplitColumns(g, mTiles, nTiles);
        int tiles = splitColumns ? nTiles : mTiles;
        long workPerTile = splitColumns ? (long)nr * g.M * g.K : (long)mr * g.N * g.K;
        if (!parallel || (long)g.M * g.N * g.K < MinParallelWork || KernelParallel.ChunkCount(tiles, workPerTile) <= 1)
        {
            MultiplyRange(g, 0, g.M, 0, g.N);
            return;
        }

        KernelParallel.For(tiles, workPerTile, (first, end) =>
        {
            if (splitColumns) MultiplyRange(g, 0, g.M, first * nr, Math.Min(g.N, end * nr));
            else MultiplyRange(g, first * mr, Math.Min(g.M, end * mr), 0, g.N);
        });
    }

    /// <summary>
    /// Whether threads take column ranges of C (each packs all of A) or row ranges (each packs all of B it reads): the
    /// split that packs less twice. B already packed costs nothing to share, so then rows unless there are too few.
    /// </summary>
    private static bool SplitColumns(in GemmArguments g, int mTiles, int nTiles)
    {
        if (g.PrepackedB != null) return mTiles < 2 * KernelParallel.MaxDegree && nTiles > mTiles;
        return g.N >= g.M;
    }

    /// <summary>Single-threaded blocked multiply of the C sub-block rows [i0, i1) x columns [j0, j1).</summary>
    private static void MultiplyRange(in GemmArguments g, int i0, int i1, int j0, int j1)
    {
        int mr = MR, nr = NR;
        SgemmWorkspace workspace = SgemmWorkspace.Current;
        float* packedA = workspace.PackedA, packedB = workspace.PackedB;
        float* edgeTile = stackalloc float[mr * nr];
        for (int jc = j0; jc < j1; jc += BlockN)
        {
            int nc = Math.Min(BlockN, j1 - jc);
            for (int pc = 0; pc < g.K; pc += BlockK)
            {
                int kc = Math.Min(BlockK, g.K - pc);
                float beta = pc == 0 ? g.Beta : 1f;
                // With one block of A rows, each B panel is used once: pack it (with the rest of its group, below) just
                // before its tiles, so it is still in L1/L2 when the micro-kernel reads it, rather than packing the whole
                // block (megabytes) first.
                // The AVX-512 tile reads full panels of B in place, with no packing copy (only a ragged last panel is
                // packed), while few panels of A rows reuse each panel: B given as rows (a convolution's shifted input
                // rows) below a block of A rows, a plain B within one block (with several blocks the packed block is
                // reused, and reads spread over kc rows of a wide B cost more than the copy; measured). From a block of
                // rows on, each panel of rows is packed once and swept by 16+ panels of A from contiguous memory: resnet's
                // 3x3 stride-2 convolutions (128-512 output channels) 1.00-1.05x at one thread, 1.06-1.11x at two
                // (in-process A/B), where the stem's 64 rows and 32-64-channel convolutions measured 6-12% slower packed.
                bool stridedInPlace = g.BRows == null && g.PrepackedB == null && !g.TransB && i1 - i0 <= BlockM && Avx512F.IsSupported;
                bool rowsInPlace = Avx512F.IsSupported && (stridedInPlace || (g.BRows != null && i1 - i0 < BlockM));
                bool panelByPanel = g.PrepackedB == null && (rowsInPlace || i1 - i0 <= BlockM);
                float* bBlock = packedB;
                if (g.PrepackedB != null) bBlock = g.PrepackedB + SgemmPack.PrepackedOffset(g.K, g.N, nr, pc, jc);
                else if (!panelByPanel) PackB(g, pc, kc, jc, nc, packedB);
                for (int ic = i0; ic < i1; ic += BlockM)
                {
                    int mc = Math.Min(BlockM, i1 - ic);
                    SgemmPack.A(g.TransA, g.A, g.Lda, ic, mc, pc, kc, mr, packedA);
                    // Panels of B in groups, each 6-row panel of A swept across a group: C (and the residual the epilogue
                    // reads) then moves in runs of group x 64 columns per row, not 64, which the prefetcher follows (a
                    // product of 256 rows otherwise touches 256 rows, 256 B each, per panel). The group's packed B stays
                    // near 128 KiB (L2), as do the kc rows of a group read in place. resnet's 1x1 convolutions with a
                    // residual: 1.06-1.28x; the whole resnet50 forward 2-4%. A plain B read in place too (pointwise
                    // convolutions of at most 96 output channels: mobilenet_v3's 16->72 at 56x56 1.08-1.13x, 64->64
                    // 1.03-1.09x, in-process A/B); shifted input rows read in place keep single panels (measured level).
                    int group = g.BRows != null && rowsInPlace ? 1 : Math.Clamp(512 / kc, 1, 16);
                    for (int jg = 0; jg < nc; jg += nr * group)
                    {
                        int groupEnd = Math.Min(nc, jg + nr * group);
                        if (panelByPanel)
                        {
                            for (int jr = jg; jr < groupEnd; jr += nr)
                            {
                                int cols = Math.Min(nr, nc - jr);
                                if (!(rowsInPlace && cols == nr)) PackB(g, pc, kc, jc + jr, cols, packedB + (long)((jr - jg) / nr) * kc * nr);
                            }
                        }
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int rows = Math.Min(mr, mc - ir);
                            float* aPanel = packedA + (long)(ir / mr) * kc * mr;
                            bool firstBlock = pc == 0, lastBlock = pc + kc >= g.K;
                            for (int jr = jg; jr < groupEnd; jr += nr)
                            {
                                int cols = Math.Min(nr, nc - jr);
                                bool inPlace = rowsInPlace && cols == nr;
                                float* bPanel = panelByPanel ? packedB + (long)((jr - jg) / nr) * kc * nr : bBlock + (long)(jr / nr) * kc * nr;
                                float* cTile = g.C + (long)(ic + ir) * g.Ldc + jc + jr;
                                if (lastBlock && g.Epilogue.Residual != null && Sse.IsSupported)
                                {
                                    // The residual of the next tile of this sweep (along the group, then the next panel of A
                                    // rows), fetched while this tile is summed: the epilogue reads its 6 rows at once, 24
                                    // lines that missed together. resnet's 1x1 convolutions with a residual 1.11-1.15x at one
                                    // thread, 1.18-1.23x at two alone, 1.04-1.08x in the resnet50 forward (1.02x the whole
                                    // forward at one thread, level at two; in-process A/B).
                                    int nextIr = ir, nextJr = jr + nr;
                                    if (nextJr >= groupEnd)
                                    {
                                        nextJr = jg;
                                        nextIr = ir + mr;
                                    }
                                    if (nextIr < mc) PrefetchResidual(g, ic + nextIr, jc + nextJr, Math.Min(mr, mc - nextIr), Math.Min(nr, nc - nextJr));
                                }
                                if (cols == nr && Avx512F.IsSupported)
                                {
                                    var tile = new TileSite(cTile, ic + ir, jc + jr, rows, beta, firstBlock, lastBlock, edgeTile);
                                    if (inPlace && stridedInPlace) Avx512Tile(g, kc, aPanel, new SgemmMicroKernel.StridedRows(g.B + (long)pc * g.Ldb + jc + jr, g.Ldb), tile);
                                    else if (inPlace) Avx512Tile(g, kc, aPanel, new SgemmMicroKernel.RowPointers(g.BRows + pc, jc + jr), tile);
                                    else Avx512Tile(g, kc, aPanel, new SgemmMicroKernel.PackedPanel(bPanel), tile);
                                    continue;
                                }
                                if (rows == mr && cols == nr)
                                {
                                    MicroKernel(kc, aPanel, bPanel, cTile, g.Ldc, g.Alpha, beta);
                                }
                                else
                                {
                                    EdgeKernel(kc, aPanel, bPanel, cols, edgeTile, nr);
                                    StoreEdge(edgeTile, nr, cTile, g.Ldc, rows, cols, g.Alpha, beta);
                                }
                                if (!g.Epilogue.IsEmpty)
                                {
                                    if (firstBlock && g.Epilogue.RowBias != null) g.Epilogue.AddBias(cTile, g.Ldc, ic + ir, rows, cols);
                                    if (lastBlock && g.Epilogue.HasTail) g.Epilogue.ApplyTail(cTile, (long)(ic + ir) * g.Ldc + jc + jr, g.Ldc, rows, cols);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Prefetches the lines of the residual the epilogue will read for the tile at (row, column).</summary>
    private static void PrefetchResidual(in GemmArguments g, int row, int column, int rows, int cols)
    {
        float* r = g.Epilogue.Residual + (long)row * g.Ldc + column;
        for (int i = 0; i < rows; i++, r += g.Ldc)
        {
            for (int j = 0; j < cols; j += 16) Sse.Prefetch0(r + j);
        }
    }

    /// <summary>
    /// A full-width tile on the AVX-512 kernel, B read from <typeparamref name="TRows"/>: with all 6 rows the epilogue
    /// is applied in registers before the tile's one store (an activation other than ReLU on the stored tile); a
    /// ragged tile's sums go through <see cref="TileSite.Edge"/> and the epilogue's separate passes.
    /// </summary>
    private static void Avx512Tile<TRows>(in GemmArguments g, int kc, float* aPanel, TRows b, in TileSite t)
        where TRows : struct, SgemmMicroKernel.IPanelRows
    {
        ref readonly GemmEpilogue e = ref g.Epilogue;
        int nr = NR;
        if (t.Rows == MR)
        {
            SgemmMicroKernel.Avx512(kc, aPanel, b, t.C, g.Ldc, g.Alpha, t.Beta,
                t.FirstBlock && e.RowBias != null ? e.RowBias + t.Row : null,
                t.LastBlock && e.Residual != null ? e.Residual + (long)t.Row * g.Ldc + t.Column : null,
                t.LastBlock && e.Relu);
            if (t.LastBlock && e.ActivationAfterStore) e.ApplyActivation(t.C, g.Ldc, t.Rows, nr);
            return;
        }
        SgemmMicroKernel.Avx512(kc, aPanel, b, t.Edge, nr, 1f, 0f, null, null, false);
        StoreEdge(t.Edge, nr, t.C, g.Ldc, t.Rows, nr, g.Alpha, t.Beta);
        if (t.FirstBlock && e.RowBias != null) e.AddBias(t.C, g.Ldc, t.Row, t.Rows, nr);
        if (t.LastBlock && e.HasTail) e.ApplyTail(t.C, (long)t.Row * g.Ldc + t.Column, g.Ldc, t.Rows, nr);
    }

    /// <summary>Where one tile of C lies and which depth block fills it.</summary>
    private readonly struct TileSite(float* c, int row, int column, int rows, float beta, bool firstBlock, bool lastBlock, float* edge)
    {
        /// <summary>The tile's first element in C.</summary>
        public readonly float* C = c;

        /// <summary>Row and column of that element in C.</summary>
        public readonly int Row = row, Column = column;

        /// <summary>Rows of the tile (MR, or fewer at the bottom edge).</summary>
        public readonly int Rows = rows;

        /// <summary>beta for this depth block (the caller's for the first, 1 after).</summary>
        public readonly float Beta = beta;

        /// <summary>Whether this depth block is the first (bias) or last (residual, activation).</summary>
        public readonly bool FirstBlock = firstBlock, LastBlock = lastBlock;

        /// <summary>Scratch for a ragged tile's sums (MR x NR).</summary>
        public readonly float* Edge = edge;
    }

    /// <summary>Packs op(B)[pc..pc+kc, j0..j0+nc] into panels, from B as stored or from its row pointers.</summary>
    private static void PackB(in GemmArguments g, int pc, int kc, int j0, int nc, float* dst)
    {
        if (g.BRows != null) SgemmPack.BRows(g.BRows, pc, kc, j0, nc, NR, dst);
        else SgemmPack.B(g.TransB, g.B, g.Ldb, pc, kc, j0, nc, NR, dst);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MicroKernel(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
    {
        if (Avx512F.IsSupported) SgemmMicroKernel.Avx512(kc, a, b, c, ldc, alpha, beta);
        else if (Fma.IsSupported) SgemmMicroKernel.Avx2(kc, a, b, c, ldc, alpha, beta);
        else ScalarMicroKernel(kc, a, b, c, ldc, alpha, beta);
    }

    /// <summary>
    /// A ragged tile into <paramref name="tile"/> (row stride <paramref name="ldt"/>): a ragged last panel of
    /// <paramref name="cols"/> columns runs only the vectors it needs (the panel's zero padding is not multiplied).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void EdgeKernel(int kc, float* a, float* b, int cols, float* tile, int ldt)
    {
        if (Avx512F.IsSupported && cols <= 16) SgemmMicroKernel.Avx512Columns16(kc, a, b, tile, ldt);
        else if (Avx512F.IsSupported && cols <= 32) SgemmMicroKernel.Avx512Columns32(kc, a, b, tile, ldt);
        else MicroKernel(kc, a, b, tile, ldt, 1f, 0f);
    }

    /// <summary>Portable 6x16 tile for CPUs without FMA; same packed layout and summation order.</summary>
    private static void ScalarMicroKernel(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
    {
        const int Rows = 6, Cols = 16;
        float* acc = stackalloc float[Rows * Cols];
        new Span<float>(acc, Rows * Cols).Clear();
        for (int p = 0; p < kc; p++, a += Rows, b += Cols)
        {
            for (int r = 0; r < Rows; r++)
            {
                float av = a[r];
                for (int j = 0; j < Cols; j++) acc[r * Cols + j] = MathF.FusedMultiplyAdd(av, b[j], acc[r * Cols + j]);
            }
        }
        StoreEdge(acc, Cols, c, ldc, Rows, Cols, alpha, beta);
    }

    private static void StoreEdge(float* tile, int tileStride, float* c, int ldc, int rows, int cols, float alpha, float beta)
    {
        for (int r = 0; r < rows; r++)
        {
            float* src = tile + r * tileStride;
            float* dst = c + (long)r * ldc;
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                // The same per-element operations as the scalar loop below (one multiply, or one fused multiply-add).
                var alphaV = Vector512.Create(alpha);
                if (beta == 0)
                {
                    for (; j + 16 <= cols; j += 16) Vector512.Store(alphaV * Vector512.Load(src + j), dst + j);
                }
                else
                {
                    var betaV = Vector512.Create(beta);
                    for (; j + 16 <= cols; j += 16)
                        Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(src + j), alphaV, betaV * Vector512.Load(dst + j)), dst + j);
                }
            }
            if (beta == 0)
            {
                for (; j < cols; j++) dst[j] = alpha * src[j];
            }
            else
            {
                for (; j < cols; j++) dst[j] = MathF.FusedMultiplyAdd(src[j], alpha, beta * dst[j]);
            }
        }
    }

    /// <summary>Pointers and sizes of one multiply, passed by value into the parallel loop.</summary>
    private readonly struct GemmArguments(
        bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, float* prepackedB = null, GemmEpilogue epilogue = default,
        float** bRows = null)
    {
        public readonly bool TransA = transA, TransB = transB;
        public readonly int M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc;
        public readonly float Alpha = alpha, Beta = beta;
        public readonly float* A = a, B = b, C = c;

        /// <summary>op(B) already in <see cref="SgemmPack.PrepackedLength"/> layout (B and TransB unused), or null.</summary>
        public readonly float* PrepackedB = prepackedB;

        /// <summary>Row p of op(B) starts at BRows[p] (B, Ldb and TransB unused), or null.</summary>
        public readonly float** BRows = bRows;

        /// <summary>Applied to each tile of C (bias after the first depth block, residual and ReLU after the last).</summary>
        public readonly GemmEpilogue Epilogue = epilogue;
    }
}
