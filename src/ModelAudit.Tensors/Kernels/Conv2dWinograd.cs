using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ModelAudit.Tensors.Kernels.Elementwise;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// 3x3, stride 1 convolution by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, 2016): each 2x2 block of
/// outputs ("tile") is A^T [(G g G^T) ⊙ (B^T d B)] A of its 4x4 input patch d, so the channel sums become 16 independent
/// products U[ξ] V[ξ] (output channels x input channels times input channels x tiles), 2.25 times fewer multiply-adds
/// than the direct sum. Tiles are numbered over (sample, tile row, tile column) and run in blocks of up to 64 (the
/// micro-kernel's panel width): a block's input transform V (16 x C x 64) stays in cache for its 16 products, whose sums
/// M go straight to the output transform with the bias, residual and activation. The weights' transform U is kept
/// between calls by <see cref="WinogradWeightCache"/>. The input gradient of such a convolution is the forward one of
/// the turned kernel (<see cref="Conv2dDataGradient"/>), transformed straight from the weights.
/// <para>
/// Numerics: the transforms add inputs of one patch before they are weighted, so results differ from the direct sum by
/// rounding: against float64, at most 1.4e-7 of each output's absolute sum in the tests, where the direct float32 path
/// measures 2.1e-7 (the 16 products' channel sums are shorter chains than the direct sum over channels and taps). A
/// non-finite input stays non-finite in the outputs whose window holds it, but may read NaN where the direct sum gives an
/// infinity. Each output column of a product is one FMA chain in channel order whatever the block holds, so results
/// depend neither on the thread count nor on the batch a sample runs in.
/// </para>
/// </summary>
internal static unsafe class Conv2dWinograd
{
    /// <summary>Tiles per block: the 6x64 micro-kernel's panel width.</summary>
    private const int BlockTiles = SgemmMicroKernel.PanelWidth;

    /// <summary>Row stride of the input transform V: one block (a chunk of fewer than 16 tiles is stored masked).</summary>
    private const int VStride = BlockTiles;

    /// <summary>
    /// Floats added between consecutive ξ planes of V and M, one cache line: unpadded, the planes are a multiple of 4 KiB
    /// apart at every channel count that is a multiple of 16, so the 16 stores of an input patch's transform (and the 16
    /// loads of an output tile's) all fall in one L1 set. 1.07-1.17x on resnet's Winograd layers (56x56 to 7x7, with
    /// the input prefetch below; in-process A/B).
    /// </summary>
    private const int XiPadding = 16;

    /// <summary>
    /// Channels ahead whose patch rows the input transform prefetches: it walks the channels of a run of tiles, each
    /// plane a few KiB to tens of KiB from the last, which the prefetcher does not follow (the transform was 35% of a
    /// 64-channel 56x56 layer). 56x56 1.25-1.41x, 28x28 1.07-1.21x, 14x14 1.07-1.13x, 7x7 1.00-1.05x (distances of
    /// 2 to 6 measured alike).
    /// </summary>
    private const int PrefetchChannels = 4;

    /// <summary>Floats between the 16 ξ planes of V (c rows of <see cref="VStride"/>, then <see cref="XiPadding"/>).</summary>
    private static long VXiStride(int c) => (long)c * VStride + XiPadding;

    /// <summary>Floats between the 16 ξ planes of M (rows of <see cref="BlockTiles"/>, then <see cref="XiPadding"/>).</summary>
    private static long MXiStride(int chunkRows) => (long)chunkRows * BlockTiles + XiPadding;

    /// <summary>Output channels whose products are kept at once (16 micro-kernel rows): M is then 16 x 96 x 64 floats (384 KiB), in L2.</summary>
    private const int ChannelChunk = 96;

    /// <summary>
    /// Fewest tiles per sample (a 7x7 or 8x8 map): a block of fewer tiles runs the 16- or 32-column micro-kernels, so a
    /// single 7x7 sample costs a quarter block, not a whole one.
    /// </summary>
    private const int MinTilesPerSample = 16;

    /// <summary>Roles of transformed weights in <see cref="WinogradWeightCache"/>: the forward convolution's, or the input gradient's turned kernel.</summary>
    private const int ForwardRole = 0, TurnedRole = 1;

    /// <summary>
    /// True for a dense 3x3, stride 1, undilated convolution with at least 16 input and output channels, on AVX-512, with
    /// at least <see cref="MinTilesPerSample"/> tiles per sample whose products cost at most 60 % of the direct sum's
    /// multiply-adds (half-used tiles of odd maps count in full). Chosen by the per-sample geometry only, never the batch
    /// size or thread count: each output's arithmetic does not depend on which block its tile shares, so a sample's
    /// result is the same in any batch.
    /// </summary>
    public static bool Applies(in Conv2dGeometry g)
    {
        if (!Avx512F.IsSupported || g.Groups != 1 || g.KernelHeight != 3 || g.KernelWidth != 3) return false;
        if (g.StrideH != 1 || g.StrideW != 1 || g.DilationH != 1 || g.DilationW != 1) return false;
        if (g.InChannels < 16 || g.OutChannels < 16) return false;
        // Transformed weights must fit one array (larger kernels, legal through external data, take the direct path).
        if (16L * ((g.OutChannels + 5L) / 6 * 6) * g.InChannels > Array.MaxLength) return false;
        long tiles = (long)((g.OutHeight + 1) / 2) * ((g.OutWidth + 1) / 2);
        return tiles >= MinTilesPerSample && 16L * tiles * 10 <= 9L * g.OutHeight * g.OutWidth * 6;
    }

    private static long Tiles(in Conv2dGeometry g) => (long)g.Batch * ((g.OutHeight + 1) / 2) * ((g.OutWidth + 1) / 2);

    /// <summary>y = act(conv(x, w) + bias + residual) (bias, residual null: none), the transformed weights from <see cref="WinogradWeightCache.Shared"/>.</summary>
    public static void Forward(in Conv2dGeometry g, float* x, float* w, float* bias, float* residual, in FusedActivation activation, float* y)
    {
        Conv2dGeometry geometry = g;
        using var u = WinogradWeightCache.Shared.Get(w, checked((int)Conv2d.WeightLength(g)), ForwardRole, (g.OutChannels, g.InChannels), TransformedLength(g),
            (weights, transformed) => TransformAll(geometry, weights, transformed));
        fixed (float* pu = u.Array) Run(g, x, pu, bias, residual, activation, y);
    }

    /// <summary>
    /// dx = conv^T(dy, w) of the convolution <paramref name="g"/> (whose <see cref="Conv2dDataGradient.Transposed"/> form
    /// <see cref="Applies"/>): the forward convolution of dy with the turned kernel, transformed straight from w (cached as w's).
    /// </summary>
    public static void BackwardData(in Conv2dGeometry g, float* dy, float* w, float* dx)
    {
        Conv2dGeometry turned = Conv2dDataGradient.Transposed(g), original = g;
        int length = checked((int)Conv2d.WeightLength(g));
        using var u = WinogradWeightCache.Shared.Get(w, length, TurnedRole, (g.OutChannels, g.InChannels), TransformedLength(turned), (weights, transformed) =>
        {
            float[] flipped = ArrayPool<float>.Shared.Rent(length);
            try
            {
                Conv2dDataGradient.FlipKernel(original, new ReadOnlySpan<float>(weights, length), flipped);
                fixed (float* pf = flipped) TransformAll(turned, pf, transformed);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(flipped);
            }
        });
        fixed (float* pu = u.Array) Run(turned, dy, pu, null, null, FusedActivation.None, dx);
    }

    /// <summary>Floats of U for <paramref name="g"/>: 16 x (O rounded up to 6) x C.</summary>
    private static int TransformedLength(in Conv2dGeometry g) => checked(16 * ((g.OutChannels + 5) / 6 * 6) * g.InChannels);

    private static void TransformAll(in Conv2dGeometry g, float* w, float* u)
    {
        Conv2dGeometry geometry = g;
        KernelParallel.For((g.OutChannels + 5) / 6, 6L * g.InChannels * 64, (b0, b1) => TransformWeights(geometry, w, u, b0, b1));
    }

    /// <summary>
    /// The tiles split between workers in groups of 16 (a worker's range ends within 16 tiles of an even share, where whole
    /// blocks left 14x14 maps at batch 8, 7 blocks, split 4 : 2.1), each worker's range run in blocks of 64 with a shorter
    /// last one. A tile's result does not depend on its block, so neither does any output on the thread count.
    /// </summary>
    private static void Run(in Conv2dGeometry g, float* x, float* u, float* bias, float* residual, in FusedActivation activation, float* y)
    {
        Conv2dGeometry geometry = g;
        long tiles = Tiles(g);
        int groups = checked((int)((tiles + 15) / 16));
        long workPerGroup = 2L * 16 * 16 * g.InChannels * g.OutChannels;
        FusedActivation act = activation;
        KernelParallel.For(groups, workPerGroup, (first, end) => RunTiles(geometry, x, u, bias, residual, act, y, 16L * first, Math.Min(16L * end, tiles)));
    }

    /// <summary>
    /// U[ξ] = G g G^T for the output channel blocks [b0, b1), G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1], written as the
    /// micro-kernel's packed A: for each ξ and block of 6 output channels, C steps of 6 values (rows past O zero).
    /// Sixteen input channels per vector (the kernels' taps gathered 9 floats apart) into rows of U[ξ], which
    /// <see cref="SgemmPack.A"/> then interleaves 6 rows at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void TransformWeights(in Conv2dGeometry g, float* w, float* u, int b0, int b1)
    {
        int c = g.InChannels, o = g.OutChannels, blocks = (o + 5) / 6;
        long xiStride = (long)blocks * 6 * c;
        // Rows of ld floats: 16 ξ x 6 output channels; then one packed panel (its 8x8 transposes write 2 floats past
        // its end). ld is C padded so that the 16 rows one vector's results go to are not a multiple of 4 KiB apart
        // (they would share L1 sets: 4 times slower at 512 channels).
        int ld = c + 16;
        float[] staging = ArrayPool<float>.Shared.Rent(96 * ld + 6 * c + 8);
        try
        {
            fixed (float* ps = staging)
            {
                float* panel = ps + 96 * ld;
                var taps = Vector256.Create(0, 9, 18, 27, 36, 45, 54, 63);
                var half = Vector512.Create(0.5f);
                for (int b = b0; b < b1; b++)
                {
                    for (int r = 0; r < 6; r++)
                    {
                        int oc = b * 6 + r;
                        float* row = ps + r * ld;
                        if (oc >= o)
                        {
                            for (int xi = 0; xi < 16; xi++) new Span<float>(row + xi * 6 * ld, c).Clear();
                            continue;
                        }
                        float* k = w + (long)oc * c * 9;
                        int ic = 0;
                        for (; ic + 16 <= c; ic += 16)
                        {
                            float* at = k + ic * 9;
                            Vector512<float> Tap(int t) => Vector512.Create(Avx2.GatherVector256(at + t, taps, 4), Avx2.GatherVector256(at + 72 + t, taps, 4));
                            // G g, column j (taps j, 3 + j, 6 + j); then each row i of G g times G^T.
                            Columns(Tap(0), Tap(3), Tap(6), half, out var g00, out var g10, out var g20, out var g30);
                            Columns(Tap(1), Tap(4), Tap(7), half, out var g01, out var g11, out var g21, out var g31);
                            Columns(Tap(2), Tap(5), Tap(8), half, out var g02, out var g12, out var g22, out var g32);
                            float* dst = row + ic;
                            long step = 6L * ld;
                            StoreRow(g00, g01, g02, half, dst, step);
                            StoreRow(g10, g11, g12, half, dst + 4 * step, step);
                            StoreRow(g20, g21, g22, half, dst + 8 * step, step);
                            StoreRow(g30, g31, g32, half, dst + 12 * step, step);
                        }
                        for (; ic < c; ic++)
                        {
                            float* kernel = k + ic * 9;
                            for (int i = 0; i < 4; i++)
                            {
                                float r0 = GRow(kernel, i, 0), r1 = GRow(kernel, i, 1), r2 = GRow(kernel, i, 2);
                                float* dst = row + (4 * i) * 6L * ld + ic;
                                dst[0] = r0;
                                dst[6L * ld] = 0.5f * (r0 + r1 + r2);
                                dst[12L * ld] = 0.5f * (r0 - r1 + r2);
                                dst[18L * ld] = r2;
                            }
                        }
                    }
                    for (int xi = 0; xi < 16; xi++)
                    {
                        SgemmPack.A(false, ps + xi * 6 * ld, ld, 0, 6, 0, c, 6, panel);
                        Buffer.MemoryCopy(panel, u + xi * xiStride + (long)b * c * 6, 6L * c * sizeof(float), 6L * c * sizeof(float));
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(staging);
        }
    }

    /// <summary>G times one column (k0, k1, k2) of the kernel: (k0, ½(k0 + k1 + k2), ½(k0 - k1 + k2), k2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Columns(Vector512<float> k0, Vector512<float> k1, Vector512<float> k2, Vector512<float> half,
        out Vector512<float> c0, out Vector512<float> c1, out Vector512<float> c2, out Vector512<float> c3)
    {
        c0 = k0;
        c1 = half * (k0 + k1 + k2);
        c2 = half * (k0 - k1 + k2);
        c3 = k2;
    }

    /// <summary>One row (r0, r1, r2) of G g times G^T, the 4 values stored <paramref name="step"/> floats apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(Vector512<float> r0, Vector512<float> r1, Vector512<float> r2, Vector512<float> half, float* dst, long step)
    {
        Vector512.Store(r0, dst);
        Vector512.Store(half * (r0 + r1 + r2), dst + step);
        Vector512.Store(half * (r0 - r1 + r2), dst + 2 * step);
        Vector512.Store(r2, dst + 3 * step);
    }

    /// <summary>(G g)[i, j] of the 3x3 kernel <paramref name="k"/> (row-major).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float GRow(float* k, int i, int j) => i switch
    {
        0 => k[j],
        1 => 0.5f * (k[j] + k[3 + j] + k[6 + j]),
        2 => 0.5f * (k[j] - k[3 + j] + k[6 + j]),
        _ => k[6 + j],
    };

    private static void RunTiles(in Conv2dGeometry g, float* x, float* u, float* bias, float* residual, FusedActivation activation, float* y, long first, long end)
    {
        int c = g.InChannels;
        int chunk = Math.Min(ChannelChunk, (g.OutChannels + 5) / 6 * 6);
        int vLength = checked((int)(16 * VXiStride(c))), mLength = checked((int)(16 * MXiStride(chunk)));
        // V and M 64-byte aligned: the micro-kernel's 16-float loads of V and stores of M then never straddle cache lines.
        float[] scratch = ScratchBuffer.Shared.Rent(vLength + mLength + 16);
        try
        {
            fixed (float* pscratch = scratch)
            {
                float* ps = (float*)(((nint)pscratch + 63) & ~(nint)63);
                for (long start = first; start < end; start += BlockTiles)
                {
                    var tiles = new TileBlock(g, start, (int)Math.Min(BlockTiles, end - start));
                    TransformInput(g, tiles, x, ps);
                    for (int o0 = 0; o0 < g.OutChannels; o0 += chunk)
                    {
                        int count = Math.Min(chunk, g.OutChannels - o0);
                        Multiply(g, u, ps, o0, count, tiles.Count, ps + vLength);
                        TransformOutput(g, tiles, ps + vLength, o0, count, bias, residual, activation, y);
                    }
                }
            }
        }
        finally
        {
            ScratchBuffer.Shared.Return(scratch);
        }
    }

    /// <summary>The tiles of one block: tile t (from <see cref="First"/>) is (sample, tile row, tile column) in row-major order.</summary>
    private readonly struct TileBlock
    {
        public TileBlock(in Conv2dGeometry g, long first, int count)
        {
            TileRows = (g.OutHeight + 1) / 2;
            TileColumns = (g.OutWidth + 1) / 2;
            First = first;
            Count = count;
        }

        public int TileRows { get; }

        public int TileColumns { get; }

        public long First { get; }

        public int Count { get; }

        /// <summary>
        /// The run of tiles that starts at block column <paramref name="column"/>: its sample, tile row, first tile column
        /// and length (to the end of the tile row or of the block).
        /// </summary>
        public (int Sample, int TileRow, int TileColumn, int Length) Run(int column)
        {
            long t = First + column;
            long perSample = (long)TileRows * TileColumns;
            int n = (int)(t / perSample), rest = (int)(t % perSample);
            int ty = rest / TileColumns, tx = rest % TileColumns;
            return (n, ty, tx, Math.Min(TileColumns - tx, Count - column));
        }
    }

    /// <summary>
    /// V[ξ][c][t] = (B^T d B)[ξ] of each tile's 4x4 input patch d (zeros outside the input), B^T = [1 0 -1 0; 0 1 1 0;
    /// 0 -1 1 0; 0 1 0 -1], 16 tiles of a tile row per vector: the patch columns of consecutive tiles are the even and
    /// odd input columns from the patch's left edge. Loads that reach past a row's ends are masked (the masked lanes
    /// read nothing and are zero), rows above or below the input are zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void TransformInput(in Conv2dGeometry g, in TileBlock tiles, float* x, float* v)
    {
        int c = g.InChannels, h = g.InHeight, wd = g.InWidth;
        long xiStride = VXiStride(c), plane = (long)h * wd;
        var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var odd = even + Vector512<int>.One;
        var lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        var width = Vector512.Create(wd);
        float** rows = stackalloc float*[4];
        for (int column = 0; column < tiles.Count;)
        {
            var (n, ty, tx, length) = tiles.Run(column);
            int y0 = 2 * ty - g.PadTop;
            float* sample = x + (long)n * c * plane;
            for (int k = 0; k < length; k += 16)
            {
                // This chunk's vectors read columns [x0, x0 + 34) of each patch row.
                int x0 = 2 * (tx + k) - g.PadLeft;
                bool inside = x0 >= 0 && x0 + 34 <= wd;
                var masks = new RowMasks(lanes + Vector512.Create(x0), width);
                // A chunk of fewer than 16 tiles stores only its lanes: V's rows are one block long.
                var store = Vector512.LessThan(lanes, Vector512.Create(Math.Min(16, length - k))).AsSingle();
                float* dst = v + column + k;
                for (int ic = 0; ic < c; ic++, dst += VStride)
                {
                    float* channel = sample + ic * plane;
                    for (int r = 0; r < 4; r++)
                    {
                        int iy = y0 + r;
                        rows[r] = (uint)iy < (uint)h ? channel + (long)iy * wd + x0 : null;
                    }
                    if (ic + PrefetchChannels < c && Sse.IsSupported)
                    {
                        // The same patch rows of a channel a few planes on: the lines of columns [x0, x0 + 34).
                        long ahead = PrefetchChannels * plane;
                        for (int r = 0; r < 4; r++)
                        {
                            if (rows[r] == null) continue;
                            float* at = rows[r] + ahead;
                            Sse.Prefetch0(at);
                            Sse.Prefetch0(at + 16);
                            Sse.Prefetch0(at + 32);
                            Sse.Prefetch0(at + 33);
                        }
                    }
                    if (inside) TransformPatchRows<Unmasked>(rows, masks, even, odd, dst, xiStride, store);
                    else TransformPatchRows<Masked>(rows, masks, even, odd, dst, xiStride, store);
                }
            }
            column += length;
        }
    }

    /// <summary>Which lanes of the 4 loads at columns +0, +16, +2, +18 of a patch row lie inside the input row.</summary>
    private readonly struct RowMasks
    {
        public RowMasks(Vector512<int> columns, Vector512<int> width)
        {
            At0 = Inside(columns, width);
            At16 = Inside(columns + Vector512.Create(16), width);
            At2 = Inside(columns + Vector512.Create(2), width);
            At18 = Inside(columns + Vector512.Create(18), width);
        }

        public Vector512<float> At0 { get; }

        public Vector512<float> At16 { get; }

        public Vector512<float> At2 { get; }

        public Vector512<float> At18 { get; }

        private static Vector512<float> Inside(Vector512<int> columns, Vector512<int> width)
            => (Vector512.GreaterThanOrEqual(columns, Vector512<int>.Zero) & Vector512.LessThan(columns, width)).AsSingle();
    }

    private interface IRowLoad
    {
        static abstract Vector512<float> Load(float* at, Vector512<float> mask);
    }

    private struct Unmasked : IRowLoad
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Load(float* at, Vector512<float> mask) => Vector512.Load(at);
    }

    private struct Masked : IRowLoad
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Load(float* at, Vector512<float> mask) => Avx512F.MaskLoad(at, mask, Vector512<float>.Zero);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransformPatchRows<TLoad>(float** rows, in RowMasks masks, Vector512<int> even, Vector512<int> odd, float* dst, long xiStride,
        Vector512<float> store)
        where TLoad : struct, IRowLoad
    {
        // Row transform (d B) of each of the 4 patch rows, then the column transform (B^T .) across rows.
        RowTransform<TLoad>(rows[0], masks, even, odd, out var s00, out var s01, out var s02, out var s03);
        RowTransform<TLoad>(rows[1], masks, even, odd, out var s10, out var s11, out var s12, out var s13);
        RowTransform<TLoad>(rows[2], masks, even, odd, out var s20, out var s21, out var s22, out var s23);
        RowTransform<TLoad>(rows[3], masks, even, odd, out var s30, out var s31, out var s32, out var s33);
        Avx512F.MaskStore(dst + 0 * xiStride, store, s00 - s20); Avx512F.MaskStore(dst + 1 * xiStride, store, s01 - s21);
        Avx512F.MaskStore(dst + 2 * xiStride, store, s02 - s22); Avx512F.MaskStore(dst + 3 * xiStride, store, s03 - s23);
        Avx512F.MaskStore(dst + 4 * xiStride, store, s10 + s20); Avx512F.MaskStore(dst + 5 * xiStride, store, s11 + s21);
        Avx512F.MaskStore(dst + 6 * xiStride, store, s12 + s22); Avx512F.MaskStore(dst + 7 * xiStride, store, s13 + s23);
        Avx512F.MaskStore(dst + 8 * xiStride, store, s20 - s10); Avx512F.MaskStore(dst + 9 * xiStride, store, s21 - s11);
        Avx512F.MaskStore(dst + 10 * xiStride, store, s22 - s12); Avx512F.MaskStore(dst + 11 * xiStride, store, s23 - s13);
        Avx512F.MaskStore(dst + 12 * xiStride, store, s10 - s30); Avx512F.MaskStore(dst + 13 * xiStride, store, s11 - s31);
        Avx512F.MaskStore(dst + 14 * xiStride, store, s12 - s32); Avx512F.MaskStore(dst + 15 * xiStride, store, s13 - s33);
    }

    /// <summary>d B of one patch row (null: a row of zeros above or below the input).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowTransform<TLoad>(float* row, in RowMasks masks, Vector512<int> even, Vector512<int> odd,
        out Vector512<float> s0, out Vector512<float> s1, out Vector512<float> s2, out Vector512<float> s3)
        where TLoad : struct, IRowLoad
    {
        if (row == null)
        {
            s0 = s1 = s2 = s3 = Vector512<float>.Zero;
            return;
        }
        var lo = TLoad.Load(row, masks.At0);
        var hi = TLoad.Load(row + 16, masks.At16);
        var lo2 = TLoad.Load(row + 2, masks.At2);
        var hi2 = TLoad.Load(row + 18, masks.At18);
        var d0 = Avx512F.PermuteVar16x32x2(lo, even, hi);
        var d1 = Avx512F.PermuteVar16x32x2(lo, odd, hi);
        var d2 = Avx512F.PermuteVar16x32x2(lo2, even, hi2);
        var d3 = Avx512F.PermuteVar16x32x2(lo2, odd, hi2);
        s0 = d0 - d2;
        s1 = d1 + d2;
        s2 = d2 - d1;
        s3 = d1 - d3;
    }

    /// <summary>M[ξ][o - o0][t] = sum over c of U[ξ][o][c] V[ξ][c][t] for output channels [o0, o0 + count), by the 6x64 micro-kernel.</summary>
    private static void Multiply(in Conv2dGeometry g, float* u, float* v, int o0, int count, int tiles, float* m)
    {
        // A block of at most 32 tiles (the last, or a small batch of small maps) runs the narrower kernels: the same
        // sums, each column one FMA chain in channel order from zero, so a tile's result does not depend on its block.
        int c = g.InChannels, blocks = (g.OutChannels + 5) / 6, chunkRows = (count + 5) / 6 * 6;
        long xiStride = (long)blocks * 6 * c;
        for (int xi = 0; xi < 16; xi++)
        {
            float* vxi = v + xi * VXiStride(c);
            float* mxi = m + xi * MXiStride(chunkRows);
            for (int r = 0; r < count; r += 6)
            {
                float* a = u + xi * xiStride + (long)(o0 + r) * c;
                float* mr = mxi + (long)r * BlockTiles;
                if (tiles > 32) SgemmMicroKernel.Avx512(c, a, new SgemmMicroKernel.PackedPanel(vxi), mr, BlockTiles, 1f, 0f, null, null, false);
                else if (tiles > 16) SgemmMicroKernel.Avx512Columns32(c, a, vxi, mr, BlockTiles);
                else SgemmMicroKernel.Avx512Columns16(c, a, vxi, mr, BlockTiles);
            }
        }
    }

    /// <summary>
    /// y = A^T M A of each tile (A^T = [1 1 1 0; 0 1 -1 -1]) plus the bias, then the residual and activation as each
    /// output row run is stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void TransformOutput(in Conv2dGeometry g, in TileBlock tiles, float* m, int o0, int count, float* bias, float* residual,
        in FusedActivation activation, float* y)
    {
        int chunkRows = (count + 5) / 6 * 6, outH = g.OutHeight, outW = g.OutWidth;
        long xiStride = MXiStride(chunkRows);
        float* top = stackalloc float[2 * BlockTiles + 32];
        float* bottom = stackalloc float[2 * BlockTiles + 32];
        var first = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        var second = first + Vector512.Create(8);
        for (int r = 0; r < count; r++)
        {
            int o = o0 + r;
            var b = Vector512.Create(bias == null ? 0f : bias[o]);
            for (int t = 0; t < tiles.Count; t += 16)
            {
                float* p = m + (long)r * BlockTiles + t;
                var t00 = Vector512.Load(p) + Vector512.Load(p + 4 * xiStride) + Vector512.Load(p + 8 * xiStride);
                var t01 = Vector512.Load(p + xiStride) + Vector512.Load(p + 5 * xiStride) + Vector512.Load(p + 9 * xiStride);
                var t02 = Vector512.Load(p + 2 * xiStride) + Vector512.Load(p + 6 * xiStride) + Vector512.Load(p + 10 * xiStride);
                var t03 = Vector512.Load(p + 3 * xiStride) + Vector512.Load(p + 7 * xiStride) + Vector512.Load(p + 11 * xiStride);
                var t10 = Vector512.Load(p + 4 * xiStride) - Vector512.Load(p + 8 * xiStride) - Vector512.Load(p + 12 * xiStride);
                var t11 = Vector512.Load(p + 5 * xiStride) - Vector512.Load(p + 9 * xiStride) - Vector512.Load(p + 13 * xiStride);
                var t12 = Vector512.Load(p + 6 * xiStride) - Vector512.Load(p + 10 * xiStride) - Vector512.Load(p + 14 * xiStride);
                var t13 = Vector512.Load(p + 7 * xiStride) - Vector512.Load(p + 11 * xiStride) - Vector512.Load(p + 15 * xiStride);
                var y00 = t00 + t01 + t02 + b;
                var y01 = t01 - t02 - t03 + b;
                var y10 = t10 + t11 + t12 + b;
                var y11 = t11 - t12 - t13 + b;
                // Tile t's outputs are columns 2t and 2t + 1 of the top and bottom rows.
                Vector512.Store(Avx512F.PermuteVar16x32x2(y00, first, y01), top + 2 * t);
                Vector512.Store(Avx512F.PermuteVar16x32x2(y00, second, y01), top + 2 * t + 16);
                Vector512.Store(Avx512F.PermuteVar16x32x2(y10, first, y11), bottom + 2 * t);
                Vector512.Store(Avx512F.PermuteVar16x32x2(y10, second, y11), bottom + 2 * t + 16);
            }
            for (int column = 0; column < tiles.Count;)
            {
                var (n, ty, tx, length) = tiles.Run(column);
                int oy = 2 * ty, ox = 2 * tx, width = Math.Min(2 * length, outW - ox);
                long at = (((long)n * g.OutChannels + o) * outH + oy) * outW + ox;
                ResidualActivation.Apply(top + 2 * column, residual == null ? null : residual + at, activation, y + at, width);
                if (oy + 1 < outH)
                    ResidualActivation.Apply(bottom + 2 * column, residual == null ? null : residual + at + outW, activation, y + at + outW, width);
                column += length;
            }
        }
    }
}
