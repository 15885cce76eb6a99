using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ModelAudit.Tensors.Kernels.Elementwise;
using ModelAudit.Tensors.Kernels.Layout;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Convolution forward for an image stem, a few input channels (RGB) and a short depth (3x3 or 7x7 taps): sixteen output
/// channels in the lanes of a 512-bit vector (AVX-512). A GEMM over so short a depth spends its time around the product
/// (mobilenet_v3's 16-channel stem fills 16 of 18 rows of its 6-row tiles, through a product buffer copied out); here each
/// output position is one vector of 16 channels, summed over the taps from broadcast input values and the taps' weight
/// vectors, sixteen positions at a time, and transposed (<see cref="Transpose16"/>) into the output planes. Each output
/// element is the fused multiply-add chain over the taps in (c, kh, kw) order from zero, plus the bias: the im2col
/// GEMM's sum, so bit for bit the other paths' result; residual and activation follow by the same
/// <see cref="ResidualActivation"/>. Work units are (sample, band of output rows), each computed by one thread, so
/// results do not depend on the thread count. An earlier stem kernel (8 output channels by 32 columns per register
/// tile, broadcast weights) was removed for measuring no faster than the GEMM; this layout, broadcast inputs and
/// 16 channels per vector, took mobilenet_v3's whole forward 1.035-1.05x faster at one thread (interleaved, best and
/// median of 20, three repeats; the stem 1.2x).
/// </summary>
internal static unsafe class Conv2dOutputLanes
{
    private const int Lanes = 16;

    /// <summary>Most input channels: the stem of an image model.</summary>
    private const int MaxInChannels = 4;

    /// <summary>
    /// Most output channels: with 16 (mobilenet_v3's stem) a GEMM fills 16 of 18 rows of its 6-row tiles and the whole
    /// forward of the stem took 1.2-1.3x this kernel's time; with 64 (resnet's and VGG's stems) the two measured alike.
    /// </summary>
    private const int MaxOutChannels = 32;

    /// <summary>Most taps per output (7x7 over 3 channels is 147).</summary>
    private const int MaxDepth = 256;

    /// <summary>Output rows per work unit: each unit pads its own input rows, the overlap of a 7x7 stride-2 window is 5 of 37.</summary>
    private const int BandRows = 16;

    /// <summary>Most floats of a unit's padded input (a 224x224 RGB stem takes 3 x 37 x 229).</summary>
    private const long MaxBandFloats = 1L << 20;

    /// <summary>
    /// Whether the geometry runs here: AVX-512, one group, at most <see cref="MaxInChannels"/> input channels,
    /// <see cref="MaxOutChannels"/> output channels and <see cref="MaxDepth"/> taps, and a unit's padded input within
    /// <see cref="MaxBandFloats"/>. Geometry only, never the thread count.
    /// </summary>
    public static bool Applies(in Conv2dGeometry g)
    {
        if (!Avx512F.IsSupported || g.Groups != 1 || g.InChannels > MaxInChannels || g.OutChannels > MaxOutChannels) return false;
        if ((long)g.InChannels * g.KernelHeight * g.KernelWidth > MaxDepth) return false;
        var band = new InputBand(g);
        return band.Floats <= MaxBandFloats;
    }

    /// <summary>y = act(conv(x, w) + bias + residual) (bias, residual null: none).</summary>
    public static void Forward(in Conv2dGeometry g, float* x, float* w, float* bias, float* residual, in FusedActivation activation, float* y)
    {
        int depth = g.InChannels * g.KernelHeight * g.KernelWidth, blocks = (g.OutChannels + Lanes - 1) / Lanes;
        int bands = (g.OutHeight + BandRows - 1) / BandRows;
        var band = new InputBand(g);
        using var lanes = new LaneWeights(w, bias, g.OutChannels, depth);
        LaneWeights weights = lanes;
        Conv2dGeometry geometry = g;
        FusedActivation act = activation;
        bool hasBias = bias != null, tail = residual != null || activation.IsActive;
        KernelParallel.For(g.Batch * bands, (long)g.OutChannels * BandRows * g.OutWidth * depth, (first, end) =>
        {
            float[] scratch = ScratchBuffer.Shared.Rent(checked((int)band.Floats));
            int* taps = stackalloc int[depth];
            band.TapOffsets(geometry, taps);
            try
            {
                fixed (float* padded = scratch)
                {
                    for (int unit = first; unit < end; unit++)
                    {
                        int n = unit / bands, oh0 = unit % bands * BandRows, oh1 = Math.Min(geometry.OutHeight, oh0 + BandRows);
                        band.Fill(geometry, x + (long)n * geometry.InChannels * geometry.InHeight * geometry.InWidth, oh0, oh1, padded);
                        float* yn = y + (long)n * geometry.OutChannels * geometry.OutHeight * geometry.OutWidth;
                        for (int oh = oh0; oh < oh1; oh++)
                            for (int block = 0; block < blocks; block++)
                                ComputeRow(geometry, padded + (long)(oh - oh0) * geometry.StrideH * band.Columns, taps, depth,
                                    weights.Weights(block), hasBias ? weights.Bias(block) : null,
                                    yn + ((long)block * Lanes * geometry.OutHeight + oh) * geometry.OutWidth, Math.Min(Lanes, geometry.OutChannels - block * Lanes));
                        if (tail) ApplyTail(geometry, residual, act, y, n, oh0, oh1);
                    }
                }
            }
            finally
            {
                ScratchBuffer.Shared.Return(scratch);
            }
        });
    }

    /// <summary>Residual and activation over rows [oh0, oh1) of every output plane of sample <paramref name="n"/>.</summary>
    private static void ApplyTail(in Conv2dGeometry g, float* residual, in FusedActivation activation, float* y, int n, int oh0, int oh1)
    {
        long plane = (long)g.OutHeight * g.OutWidth;
        int count = (oh1 - oh0) * g.OutWidth;
        for (int o = 0; o < g.OutChannels; o++)
        {
            long at = ((long)n * g.OutChannels + o) * plane + (long)oh0 * g.OutWidth;
            ResidualActivation.Apply(y + at, residual == null ? null : residual + at, activation, y + at, count);
        }
    }

    /// <summary>One output row of one block of 16 output channels, in runs of 16 positions.</summary>
    private static void ComputeRow(in Conv2dGeometry g, float* bandRow, int* taps, int depth, float* weights, float* bias,
        float* yRow, int channels)
    {
        long outPlane = (long)g.OutHeight * g.OutWidth;
        Vector512<float> biasV = bias == null ? Vector512<float>.Zero : Vector512.Load(bias);
        bool hasBias = bias != null;
        for (int ow = 0; ow < g.OutWidth; ow += 16)
        {
            float* src = bandRow + (long)ow * g.StrideW;
            int columns = Math.Min(16, g.OutWidth - ow);
            var store = new PlaneRun(yRow + ow, outPlane, channels, columns);
            if (g.StrideW == 1) Run<StrideOne>(src, 1, taps, depth, weights, biasV, hasBias, store);
            else if (g.StrideW == 2) Run<StrideTwo>(src, 2, taps, depth, weights, biasV, hasBias, store);
            else Run<AnyStride>(src, g.StrideW, taps, depth, weights, biasV, hasBias, store);
        }
    }

    private interface IStride
    {
        /// <summary>The stride when fixed at compile time (constant offsets), else 0.</summary>
        static abstract int Fixed { get; }
    }

    private struct StrideOne : IStride
    {
        public static int Fixed => 1;
    }

    private struct StrideTwo : IStride
    {
        public static int Fixed => 2;
    }

    private struct AnyStride : IStride
    {
        public static int Fixed => 0;
    }

    /// <summary>
    /// 16 positions <paramref name="stride"/> floats apart: acc(j) = the chain over the taps of fused multiply-adds of
    /// the input value (broadcast) and the tap's 16 weights, from zero; then + bias (when <paramref name="hasBias"/>), transposed, stored for the run's columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Run<TStride>(float* src, int stride, int* taps, int depth, float* weights, Vector512<float> bias, bool hasBias, in PlaneRun store)
        where TStride : struct, IStride
    {
        int s = TStride.Fixed != 0 ? TStride.Fixed : stride;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector512<float> a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
        for (int t = 0; t < depth; t++)
        {
            float* p = src + taps[t];
            Vector512<float> wv = Vector512.Load(weights + (long)t * Lanes);
            a0 = Vector512.FusedMultiplyAdd(Vector512.Create(p[0]), wv, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.Create(p[1 * s]), wv, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.Create(p[2 * s]), wv, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.Create(p[3 * s]), wv, a3);
            a4 = Vector512.FusedMultiplyAdd(Vector512.Create(p[4 * s]), wv, a4);
            a5 = Vector512.FusedMultiplyAdd(Vector512.Create(p[5 * s]), wv, a5);
            a6 = Vector512.FusedMultiplyAdd(Vector512.Create(p[6 * s]), wv, a6);
            a7 = Vector512.FusedMultiplyAdd(Vector512.Create(p[7 * s]), wv, a7);
            a8 = Vector512.FusedMultiplyAdd(Vector512.Create(p[8 * s]), wv, a8);
            a9 = Vector512.FusedMultiplyAdd(Vector512.Create(p[9 * s]), wv, a9);
            a10 = Vector512.FusedMultiplyAdd(Vector512.Create(p[10 * s]), wv, a10);
            a11 = Vector512.FusedMultiplyAdd(Vector512.Create(p[11 * s]), wv, a11);
            a12 = Vector512.FusedMultiplyAdd(Vector512.Create(p[12 * s]), wv, a12);
            a13 = Vector512.FusedMultiplyAdd(Vector512.Create(p[13 * s]), wv, a13);
            a14 = Vector512.FusedMultiplyAdd(Vector512.Create(p[14 * s]), wv, a14);
            a15 = Vector512.FusedMultiplyAdd(Vector512.Create(p[15 * s]), wv, a15);
        }
        if (hasBias)
        {
            a0 += bias; a1 += bias; a2 += bias; a3 += bias; a4 += bias; a5 += bias; a6 += bias; a7 += bias;
            a8 += bias; a9 += bias; a10 += bias; a11 += bias; a12 += bias; a13 += bias; a14 += bias; a15 += bias;
        }
        // a(j) holds position j's 16 channels; transposed, a(c) holds channel c's 16 positions.
        Transpose16.Store(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, store);
    }

    /// <summary>
    /// The zero-padded input rows of one band of output rows, per input channel: band row i of channel c is padded row
    /// oh0 * strideH + i; columns reach the last tap of output column RoundedWidth - 1, so runs past the map read zeros.
    /// </summary>
    private readonly struct InputBand
    {
        public InputBand(in Conv2dGeometry g)
        {
            int rounded = (g.OutWidth + 15) / 16 * 16;
            Columns = (int)Math.Min(int.MaxValue, (rounded - 1L) * g.StrideW + (g.KernelWidth - 1L) * g.DilationW + 1);
            Rows = (int)Math.Min(int.MaxValue, (Math.Min(BandRows, g.OutHeight) - 1L) * g.StrideH + (g.KernelHeight - 1L) * g.DilationH + 1);
            ChannelFloats = (long)Rows * Columns;
            Floats = ChannelFloats * g.InChannels;
        }

        /// <summary>Padded columns per row.</summary>
        public int Columns { get; }

        /// <summary>Padded rows per channel (for a full band).</summary>
        public int Rows { get; }

        /// <summary>Floats per channel.</summary>
        public long ChannelFloats { get; }

        /// <summary>Floats of the band.</summary>
        public long Floats { get; }

        /// <summary>Offset of tap (c, kh, kw) from its output position's first tap, in the im2col order.</summary>
        public void TapOffsets(in Conv2dGeometry g, int* offsets)
        {
            int t = 0;
            for (int c = 0; c < g.InChannels; c++)
                for (int kh = 0; kh < g.KernelHeight; kh++)
                    for (int kw = 0; kw < g.KernelWidth; kw++)
                        offsets[t++] = checked((int)(c * ChannelFloats + (long)kh * g.DilationH * Columns + (long)kw * g.DilationW));
        }

        /// <summary>Writes the padded input rows of output rows [oh0, oh1) of one sample.</summary>
        public void Fill(in Conv2dGeometry g, float* xn, int oh0, int oh1, float* band)
        {
            int rows = (oh1 - oh0 - 1) * g.StrideH + (g.KernelHeight - 1) * g.DilationH + 1;
            int dataFirst = Math.Min(Columns, g.PadLeft), dataEnd = Math.Max(dataFirst, Math.Min(Columns, g.PadLeft + g.InWidth));
            for (int c = 0; c < g.InChannels; c++)
            {
                float* plane = xn + (long)c * g.InHeight * g.InWidth;
                for (int i = 0; i < rows; i++)
                {
                    var dst = new Span<float>(band + c * ChannelFloats + (long)i * Columns, Columns);
                    int ih = oh0 * g.StrideH + i - g.PadTop;
                    if ((uint)ih >= (uint)g.InHeight)
                    {
                        dst.Clear();
                        continue;
                    }
                    dst[..dataFirst].Clear();
                    new ReadOnlySpan<float>(plane + (long)ih * g.InWidth + (dataFirst - g.PadLeft), dataEnd - dataFirst).CopyTo(dst[dataFirst..]);
                    dst[dataEnd..].Clear();
                }
            }
        }
    }
}
