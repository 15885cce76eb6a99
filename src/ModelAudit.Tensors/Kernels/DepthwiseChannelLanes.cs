using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ModelAudit.Tensors.Kernels.Elementwise;
using ModelAudit.Tensors.Kernels.Layout;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Depthwise convolution forward with sixteen channels in the lanes of a 512-bit vector (AVX-512), the layout ONNX
/// Runtime's NCHWc kernels use, built locally: the planes of a block of 16 channels of one sample are transposed
/// (<see cref="Transpose16"/>) into a zero-padded band [rows][columns][16], each output position is then one vector
/// summed over the taps with the 16 channels' weights of each tap, and sixteen positions at a time are transposed back
/// into the output planes. Every lane does useful work whatever the map's width (a 7-wide map fills 7 of 16 lanes
/// when vectors run along rows) and any stride or dilation reads whole vectors. Each output element is the bias plus
/// its taps in row-major order by fused multiply-adds, the order of <see cref="DepthwiseConv2d"/>'s plane kernels, so
/// the result is bit for bit theirs; residual and activation are applied per block afterwards by the same
/// <see cref="ResidualActivation"/>. Work units are (sample, channel block) pairs, each computed by one thread, so
/// results do not depend on the thread count.
/// </summary>
internal static unsafe class DepthwiseChannelLanes
{
    private const int Lanes = 16;

    /// <summary>Floats of a worker's input band (256 KiB): rows of the band are re-read by every tap, so it should stay in L2.</summary>
    private const int BandFloats = 1 << 16;

    /// <summary>Fewest taps for which this path is taken: with a 3x3 window, moving between layouts costs about what the taps do (measured).</summary>
    private const int MinTaps = 16;

    /// <summary>
    /// Whether the geometry (depthwise, checked by the caller) runs here: AVX-512, a window of at least <see cref="MinTaps"/>
    /// taps (mobilenet_v3's 5x5: 1.35-2.3x the plane kernels on its maps) and one output row's band within <see cref="BandFloats"/>.
    /// Chosen by geometry only, never by thread count.
    /// </summary>
    public static bool Applies(in Conv2dGeometry g)
    {
        long taps = g.KernelHeight * (long)g.KernelWidth;
        if (!Avx512F.IsSupported || taps < MinTaps || taps > DepthwisePlane.MaxTaps) return false;
        var layout = new BandLayout(g, 1);
        return layout.Floats <= BandFloats;
    }

    /// <summary>y = act(depthwise conv(x, w) + bias + residual) (bias, residual null: none).</summary>
    public static void Forward(in Conv2dGeometry g, float* x, float* w, float* bias, float* residual, in FusedActivation activation, float* y)
    {
        int channels = g.InChannels, taps = g.KernelHeight * g.KernelWidth, blocks = (channels + Lanes - 1) / Lanes;
        long outPlane = (long)g.OutHeight * g.OutWidth;
        int bandRows = BandRows(g);
        var layout = new BandLayout(g, bandRows);
        using var lanes = new LaneWeights(w, bias, channels, taps);
        LaneWeights weights = lanes;
        Conv2dGeometry geometry = g;
        FusedActivation act = activation;
        bool tail = residual != null || activation.IsActive;
        KernelParallel.For(g.Batch * blocks, Lanes * outPlane * taps, (first, end) =>
        {
            // 16 floats more, to start the band on a 64-byte boundary: every vector of it is then one cache line (a
            // load straddling two lines costs two, and the taps read nothing else).
            float[] band = ScratchBuffer.Shared.Rent(layout.Floats + Lanes);
            int* tapOffsets = stackalloc int[taps];
            layout.TapOffsets(geometry, tapOffsets);
            try
            {
                fixed (float* unaligned = band)
                {
                    float* pband = (float*)(((nint)unaligned + 63) & ~(nint)63);
                    for (int unit = first; unit < end; unit++)
                    {
                        int n = unit / blocks, block = unit % blocks, c0 = block * Lanes, count = Math.Min(Lanes, channels - c0);
                        long planeOffset = (long)n * channels + c0;
                        float* xBlock = x + planeOffset * geometry.InHeight * geometry.InWidth, yBlock = y + planeOffset * outPlane;
                        var biasV = Vector512.Load(weights.Bias(block));
                        for (int oh0 = 0; oh0 < geometry.OutHeight; oh0 += bandRows)
                        {
                            int oh1 = Math.Min(geometry.OutHeight, oh0 + bandRows);
                            layout.Fill(geometry, xBlock, count, oh0, oh1, pband);
                            for (int oh = oh0; oh < oh1; oh++)
                                ComputeRow(geometry, pband + (long)(oh - oh0) * geometry.StrideH * layout.RowFloats, tapOffsets, taps,
                                    weights.Weights(block), biasV, yBlock + (long)oh * geometry.OutWidth, outPlane, count);
                        }
                        if (tail)
                            ResidualActivation.Apply(yBlock, residual == null ? null : residual + planeOffset * outPlane, act, yBlock, checked((int)(count * outPlane)));
                    }
                }
            }
            finally
            {
                ScratchBuffer.Shared.Return(band);
            }
        });
    }

    /// <summary>Output rows per band: as many as fit <see cref="BandFloats"/> (at least one; <see cref="Applies"/> checked that one fits).</summary>
    private static int BandRows(in Conv2dGeometry g)
    {
        int rows = g.OutHeight;
        while (rows > 1 && new BandLayout(g, rows).Floats > BandFloats) rows = Math.Max(1, rows / 2);
        return rows;
    }

    /// <summary>
    /// One output row: positions in runs of 16 (8 or 4 for a short last run), each run's outputs transposed back into the
    /// <paramref name="count"/> channel planes (row <paramref name="yRow"/> of the first, planes <paramref name="outPlane"/> apart).
    /// </summary>
    private static void ComputeRow(in Conv2dGeometry g, float* bandRow, int* tapOffsets, int taps, float* weights,
        Vector512<float> bias, float* yRow, long outPlane, int count)
    {
        int outW = g.OutWidth, step = g.StrideW * Lanes;
        for (int ow = 0; ow < outW; ow += 16)
        {
            int run = Math.Min(16, outW - ow);
            float* src = bandRow + (long)ow * step;
            var stores = new PlaneRun(yRow + ow, outPlane, count, run);
            if (run > 8) Run<Sixteen>(src, step, tapOffsets, taps, weights, bias, stores);
            else if (run > 4) Run<Eight>(src, step, tapOffsets, taps, weights, bias, stores);
            else Run<Four>(src, step, tapOffsets, taps, weights, bias, stores);
        }
    }

    private interface IRunLength
    {
        static abstract int Positions { get; }
    }

    private struct Sixteen : IRunLength
    {
        public static int Positions => 16;
    }

    private struct Eight : IRunLength
    {
        public static int Positions => 8;
    }

    private struct Four : IRunLength
    {
        public static int Positions => 4;
    }

    /// <summary>
    /// Up to 16 positions <paramref name="step"/> floats apart in the band: acc(j) = bias, then acc(j) += band[j, tap] * weights[tap]
    /// for every tap in order. Positions past the run are computed from the band's zero columns and not stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Run<TLength>(float* src, int step, int* tapOffsets, int taps, float* weights, Vector512<float> bias, in PlaneRun store)
        where TLength : struct, IRunLength
    {
        Vector512<float> a0 = bias, a1 = bias, a2 = bias, a3 = bias, a4 = bias, a5 = bias, a6 = bias, a7 = bias;
        Vector512<float> a8 = bias, a9 = bias, a10 = bias, a11 = bias, a12 = bias, a13 = bias, a14 = bias, a15 = bias;
        long s1 = step, s2 = 2L * step, s3 = 3L * step;
        for (int t = 0; t < taps; t++)
        {
            float* s = src + tapOffsets[t];
            Vector512<float> wv = Vector512.Load(weights + (long)t * Lanes);
            a0 = Vector512.FusedMultiplyAdd(Vector512.Load(s), wv, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.Load(s + s1), wv, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.Load(s + s2), wv, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.Load(s + s3), wv, a3);
            if (TLength.Positions > 4)
            {
                float* s4 = s + 4 * s1;
                a4 = Vector512.FusedMultiplyAdd(Vector512.Load(s4), wv, a4);
                a5 = Vector512.FusedMultiplyAdd(Vector512.Load(s4 + s1), wv, a5);
                a6 = Vector512.FusedMultiplyAdd(Vector512.Load(s4 + s2), wv, a6);
                a7 = Vector512.FusedMultiplyAdd(Vector512.Load(s4 + s3), wv, a7);
            }
            if (TLength.Positions > 8)
            {
                float* s8 = s + 8 * s1;
                a8 = Vector512.FusedMultiplyAdd(Vector512.Load(s8), wv, a8);
                a9 = Vector512.FusedMultiplyAdd(Vector512.Load(s8 + s1), wv, a9);
                a10 = Vector512.FusedMultiplyAdd(Vector512.Load(s8 + s2), wv, a10);
                a11 = Vector512.FusedMultiplyAdd(Vector512.Load(s8 + s3), wv, a11);
                float* s12 = s8 + 4 * s1;
                a12 = Vector512.FusedMultiplyAdd(Vector512.Load(s12), wv, a12);
                a13 = Vector512.FusedMultiplyAdd(Vector512.Load(s12 + s1), wv, a13);
                a14 = Vector512.FusedMultiplyAdd(Vector512.Load(s12 + s2), wv, a14);
                a15 = Vector512.FusedMultiplyAdd(Vector512.Load(s12 + s3), wv, a15);
            }
        }
        if (TLength.Positions <= 8)
        {
            StoreEight(a0, a1, a2, a3, a4, a5, a6, a7, store);
            return;
        }
        // a(j) holds position j's 16 channels; transposed, a(c) holds channel c's 16 positions.
        Transpose16.Store(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, store);
    }

    /// <summary>
    /// The outputs of a run of at most 8 positions (a(j): position j's 16 channels) into the channel planes: a 16 x 8
    /// transpose in 24 shuffles (a 16 x 16 one takes 64), each channel's positions stored as one 256-bit vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreEight(Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3,
        Vector512<float> a4, Vector512<float> a5, Vector512<float> a6, Vector512<float> a7, in PlaneRun store)
    {
        // u(k), 128-bit lane L: channel 4L+k at positions 0-3 (k < 4) or at positions 4-7 (u(4+k)).
        Transpose16.Quarters(a0, a1, a2, a3, a4, a5, a6, a7, out var u0, out var u1, out var u2, out var u3, out var u4, out var u5, out var u6, out var u7);
        Vector256<float> mask = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(store.Columns)).AsSingle();
        StoreChannels(u0, u4, 0, mask, store);
        StoreChannels(u1, u5, 1, mask, store);
        StoreChannels(u2, u6, 2, mask, store);
        StoreChannels(u3, u7, 3, mask, store);
    }

    /// <summary>Channels k, 4+k, 8+k and 12+k (those below the count) from their first (<paramref name="first"/>) and last four positions.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreChannels(Vector512<float> first, Vector512<float> last, int k, Vector256<float> mask, in PlaneRun store)
    {
        Vector512<float> lanes01 = Vector512.Create(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23).AsSingle();
        Vector512<float> low = Avx512F.PermuteVar16x32x2(first, lanes01.AsInt32(), last);
        Vector512<float> high = Avx512F.PermuteVar16x32x2(first, lanes01.AsInt32() + Vector512.Create(8), last);
        StoreChannel(low.GetLower(), k, mask, store);
        StoreChannel(low.GetUpper(), k + 4, mask, store);
        StoreChannel(high.GetLower(), k + 8, mask, store);
        StoreChannel(high.GetUpper(), k + 12, mask, store);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreChannel(Vector256<float> positions, int channel, Vector256<float> mask, in PlaneRun store)
    {
        if (channel < store.Channels) Avx512F.VL.MaskStore(store.Row + channel * store.PlaneStride, mask, positions);
    }

    /// <summary>
    /// A band of padded input rows with channels in lanes: band row i is padded row oh0 * strideH + i (input row
    /// oh0 * strideH + i - padTop), column j is padded column j (input column j - padLeft), zeros outside the input.
    /// Columns reach the last tap of output column RoundedWidth - 1, so runs computed past the map read zeros.
    /// </summary>
    private readonly struct BandLayout
    {
        public BandLayout(in Conv2dGeometry g, int outRows)
        {
            int rounded = (g.OutWidth + 15) / 16 * 16;
            Columns = (rounded - 1) * g.StrideW + (g.KernelWidth - 1) * g.DilationW + 1;
            Rows = (outRows - 1) * g.StrideH + (g.KernelHeight - 1) * g.DilationH + 1;
            RowFloats = (long)Columns * Lanes;
            long floats = Rows * RowFloats;
            Floats = floats > int.MaxValue ? int.MaxValue : (int)floats;
        }

        /// <summary>Padded columns held per band row.</summary>
        public int Columns { get; }

        /// <summary>Padded rows in a band.</summary>
        public int Rows { get; }

        /// <summary>Floats of one band row.</summary>
        public long RowFloats { get; }

        /// <summary>Floats of the band (saturated at int.MaxValue).</summary>
        public int Floats { get; }

        /// <summary>Offset in floats of tap (kh, kw) from its output position's first tap, row-major.</summary>
        public void TapOffsets(in Conv2dGeometry g, int* offsets)
        {
            for (int kh = 0; kh < g.KernelHeight; kh++)
            for (int kw = 0; kw < g.KernelWidth; kw++)
                offsets[kh * g.KernelWidth + kw] = checked((int)((long)kh * g.DilationH * RowFloats + (long)kw * g.DilationW * Lanes));
        }

        /// <summary>Writes the band of output rows [oh0, oh1) for the <paramref name="count"/> planes at <paramref name="xBlock"/>.</summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public void Fill(in Conv2dGeometry g, float* xBlock, int count, int oh0, int oh1, float* band)
        {
            int rows = (oh1 - oh0 - 1) * g.StrideH + (g.KernelHeight - 1) * g.DilationH + 1;
            int inW = g.InWidth, padLeft = g.PadLeft;
            long inPlane = (long)g.InHeight * inW;
            // Padded columns [dataFirst, dataEnd) hold input columns; the rest of a row is zero.
            int dataFirst = Math.Min(Columns, padLeft), dataEnd = Math.Max(dataFirst, Math.Min(Columns, padLeft + inW));
            for (int i = 0; i < rows; i++)
            {
                float* dst = band + i * RowFloats;
                int ih = oh0 * g.StrideH + i - g.PadTop;
                if ((uint)ih >= (uint)g.InHeight || dataEnd == dataFirst)
                {
                    new Span<float>(dst, checked((int)RowFloats)).Clear();
                    continue;
                }
                ClearColumns(dst, 0, dataFirst);
                ClearColumns(dst, dataEnd, Columns);
                float* src = xBlock + (long)ih * inW;
                for (int col = dataFirst; col < dataEnd; col += 16)
                {
                    int columns = Math.Min(16, dataEnd - col);
                    if (columns <= 8) GatherEight(src + (col - padLeft), inPlane, count, columns, dst + (long)col * Lanes);
                    else Gather(src + (col - padLeft), inPlane, count, columns, dst + (long)col * Lanes);
                }
            }
        }

        /// <summary>Zeros band columns [first, end) of a row (a few padding columns: a call to a general clear costs more than the stores).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void ClearColumns(float* row, int first, int end)
        {
            for (int col = first; col < end; col++) Vector512.Store(Vector512<float>.Zero, row + (long)col * Lanes);
        }

        /// <summary>
        /// <paramref name="columns"/> (at most 16) consecutive values of <paramref name="count"/> planes
        /// <paramref name="planeStride"/> apart, stored as <paramref name="columns"/> vectors of 16 channels (zeros past the count).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Gather(float* src, long planeStride, int count, int columns, float* dst)
        {
            Vector512<float> mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(columns)).AsSingle();
            Vector512<float> r0 = Row(src, 0, planeStride, count, mask), r1 = Row(src, 1, planeStride, count, mask);
            Vector512<float> r2 = Row(src, 2, planeStride, count, mask), r3 = Row(src, 3, planeStride, count, mask);
            Vector512<float> r4 = Row(src, 4, planeStride, count, mask), r5 = Row(src, 5, planeStride, count, mask);
            Vector512<float> r6 = Row(src, 6, planeStride, count, mask), r7 = Row(src, 7, planeStride, count, mask);
            Vector512<float> r8 = Row(src, 8, planeStride, count, mask), r9 = Row(src, 9, planeStride, count, mask);
            Vector512<float> r10 = Row(src, 10, planeStride, count, mask), r11 = Row(src, 11, planeStride, count, mask);
            Vector512<float> r12 = Row(src, 12, planeStride, count, mask), r13 = Row(src, 13, planeStride, count, mask);
            Vector512<float> r14 = Row(src, 14, planeStride, count, mask), r15 = Row(src, 15, planeStride, count, mask);
            Transpose16.Apply(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, ref r8, ref r9, ref r10, ref r11, ref r12, ref r13, ref r14, ref r15);
            Vector512.Store(r0, dst);
            if (columns > 1) Vector512.Store(r1, dst + 1 * Lanes);
            if (columns > 2) Vector512.Store(r2, dst + 2 * Lanes);
            if (columns > 3) Vector512.Store(r3, dst + 3 * Lanes);
            if (columns > 4) Vector512.Store(r4, dst + 4 * Lanes);
            if (columns > 5) Vector512.Store(r5, dst + 5 * Lanes);
            if (columns > 6) Vector512.Store(r6, dst + 6 * Lanes);
            if (columns > 7) Vector512.Store(r7, dst + 7 * Lanes);
            if (columns > 8) Vector512.Store(r8, dst + 8 * Lanes);
            if (columns > 9) Vector512.Store(r9, dst + 9 * Lanes);
            if (columns > 10) Vector512.Store(r10, dst + 10 * Lanes);
            if (columns > 11) Vector512.Store(r11, dst + 11 * Lanes);
            if (columns > 12) Vector512.Store(r12, dst + 12 * Lanes);
            if (columns > 13) Vector512.Store(r13, dst + 13 * Lanes);
            if (columns > 14) Vector512.Store(r14, dst + 14 * Lanes);
            if (columns > 15) Vector512.Store(r15, dst + 15 * Lanes);
        }

        /// <summary>
        /// <see cref="Gather"/> for at most 8 columns: rows c and c+8 side by side in one vector, then a 16 x 8 transpose in 32
        /// operations (a 16 x 16 one takes 64).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void GatherEight(float* src, long planeStride, int count, int columns, float* dst)
        {
            Vector256<float> mask = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(columns)).AsSingle();
            // m(i) = channel i's 8 columns, then channel i+8's.
            Vector512<float> m0 = RowPair(src, 0, planeStride, count, mask), m1 = RowPair(src, 1, planeStride, count, mask);
            Vector512<float> m2 = RowPair(src, 2, planeStride, count, mask), m3 = RowPair(src, 3, planeStride, count, mask);
            Vector512<float> m4 = RowPair(src, 4, planeStride, count, mask), m5 = RowPair(src, 5, planeStride, count, mask);
            Vector512<float> m6 = RowPair(src, 6, planeStride, count, mask), m7 = RowPair(src, 7, planeStride, count, mask);
            // u(k), lanes 0-3: columns k, 4+k, k, 4+k of channels 0-3 (u(4+k): 4-7) and, in lanes 2-3, of channels 8-11 (12-15).
            Transpose16.Quarters(m0, m1, m2, m3, m4, m5, m6, m7, out var u0, out var u1, out var u2, out var u3, out var u4, out var u5, out var u6, out var u7);
            StoreColumns(u0, u4, 0, columns, dst);
            StoreColumns(u1, u5, 1, columns, dst);
            StoreColumns(u2, u6, 2, columns, dst);
            StoreColumns(u3, u7, 3, columns, dst);
        }

        /// <summary>Columns k and 4+k (those below <paramref name="columns"/>) as vectors of 16 channels.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreColumns(Vector512<float> low, Vector512<float> high, int k, int columns, float* dst)
        {
            Vector512<int> lanes02 = Vector512.Create(0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27);
            if (k < columns) Vector512.Store(Avx512F.PermuteVar16x32x2(low, lanes02, high), dst + k * Lanes);
            if (k + 4 < columns) Vector512.Store(Avx512F.PermuteVar16x32x2(low, lanes02 + Vector512.Create(4), high), dst + (k + 4) * Lanes);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> RowPair(float* src, int channel, long planeStride, int count, Vector256<float> mask)
            => Vector512.Create(HalfRow(src, channel, planeStride, count, mask), HalfRow(src, channel + 8, planeStride, count, mask));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> HalfRow(float* src, int channel, long planeStride, int count, Vector256<float> mask)
            => channel < count ? Avx512F.VL.MaskLoad(src + channel * planeStride, mask, Vector256<float>.Zero) : Vector256<float>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Row(float* src, int channel, long planeStride, int count, Vector512<float> mask)
            => channel < count ? Avx512F.MaskLoad(src + channel * planeStride, mask, Vector512<float>.Zero) : Vector512<float>.Zero;
    }
}
