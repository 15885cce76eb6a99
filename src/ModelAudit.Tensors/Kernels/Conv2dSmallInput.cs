using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ModelAudit.Tensors.Kernels.Elementwise;
using ModelAudit.Tensors.Kernels.Layout;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Direct convolution forward for a few input channels, as an image model's stem (3 channels, 3x3, stride 2): the
/// column-matrix depth C*KH*KW is tiny (27), so a GEMM spends its time packing and storing rather than multiplying. Here
/// eight output channels by 32 output columns stay in sixteen AVX-512 registers while the depth runs: per tap two loads
/// of 16 input columns and sixteen fused multiply-adds with broadcast weights (16 columns at a row's end). Stride-2 columns are read from phase rows
/// (the even and odd columns of the zero-padded input row gathered apart once, <see cref="EvenGather"/>), so every load is
/// contiguous. The input rows a band of output rows needs are laid out per (sample, band), and (sample, band) pairs run
/// in parallel. Each output is the GEMM path's sum: fused multiply-adds over the depth in (c, kh, kw) order from zero,
/// then the bias added, then the residual and activation (<see cref="ResidualActivation"/>), so it is bit-identical to
/// <see cref="Conv2dShiftedRows"/> and the im2col path for every thread count.
/// </summary>
internal static unsafe class Conv2dSmallInput
{
    /// <summary>The largest column-matrix depth (C*KH*KW) taken; deeper convolutions keep the GEMM busy enough.</summary>
    public const int MaxDepth = 32;

    /// <summary>Output channels per register tile.</summary>
    private const int ChannelBlock = 8;

    /// <summary>Output columns per register tile: two 16-lane vectors.</summary>
    private const int ColumnBlock = 32;

    /// <summary>Output rows per work item: the input rows they read (about 100 KB at the 224x224 stem) stay in L2.</summary>
    private const int BandRows = 16;

    /// <summary>
    /// True for an ungrouped, undilated convolution of depth at most <see cref="MaxDepth"/> with a kernel wider than one
    /// tap, a column stride of 1 or 2 and at least 16 output columns, on AVX-512 hardware (geometry and hardware only).
    /// </summary>
    public static bool Applies(in Conv2dGeometry g)
        => Avx512F.IsSupported && g.Groups == 1 && g.DilationH == 1 && g.DilationW == 1 && g.StrideW is 1 or 2
           && g.KernelHeight * g.KernelWidth > 1 && (long)g.InChannels * g.KernelHeight * g.KernelWidth <= MaxDepth && g.OutWidth >= 16;

    /// <summary>y = act(conv(x, w) + bias + residual) (bias, residual null: none).</summary>
    public static void Forward(in Conv2dGeometry g, float* x, float* w, float* bias, float* residual, in FusedActivation activation, float* y)
    {
        var layout = new BandLayout(g);
        Conv2dGeometry geometry = g;
        FusedActivation act = activation;
        int bands = (g.OutHeight + BandRows - 1) / BandRows;
        long workPerItem = 2L * g.OutChannels * BandRows * g.OutWidth * layout.Depth;
        // Weights as [channel block][depth][8], zero rows past the last output channel: one contiguous run of broadcasts per tap.
        int blocks = (g.OutChannels + ChannelBlock - 1) / ChannelBlock;
        float[] packed = new float[blocks * layout.Depth * ChannelBlock];
        for (int o = 0; o < g.OutChannels; o++)
            for (int k = 0; k < layout.Depth; k++)
                packed[((o / ChannelBlock) * layout.Depth + k) * ChannelBlock + o % ChannelBlock] = w[(long)o * layout.Depth + k];
        fixed (float* pw = packed)
        {
            float* weights = pw;
            KernelParallel.For(g.Batch * bands, workPerItem, (first, end) => RunItems(geometry, layout, bands, x, weights, bias, residual, act, y, first, end));
        }
    }

    private static void RunItems(in Conv2dGeometry g, BandLayout layout, int bands, float* x, float* weights, float* bias, float* residual,
        in FusedActivation activation, float* y, int first, int end)
    {
        float[] scratch = ScratchBuffer.Shared.Rent(checked(layout.BandLength + ChannelBlock * layout.PaddedWidth));
        int[] offsets = new int[layout.Depth];
        for (int c = 0, k = 0; c < g.InChannels; c++)
            for (int kh = 0; kh < g.KernelHeight; kh++)
                for (int kw = 0; kw < g.KernelWidth; kw++, k++)
                    offsets[k] = c * layout.ChannelStride + kh * layout.RowStride + (kw % g.StrideW) * layout.PhaseLength + kw / g.StrideW;
        try
        {
            fixed (float* pscratch = scratch)
            fixed (int* poffsets = offsets)
            {
                float* band = pscratch, tile = pscratch + layout.BandLength;
                for (int item = first; item < end; item++)
                {
                    int n = item / bands, oh0 = item % bands * BandRows, oh1 = Math.Min(g.OutHeight, oh0 + BandRows);
                    layout.Fill(g, x + (long)n * g.InChannels * g.InHeight * g.InWidth, oh0, band);
                    for (int oh = oh0; oh < oh1; oh++)
                        OutputRow(g, layout, n, oh, band + (long)(oh - oh0) * g.StrideH * layout.RowStride, poffsets, weights, bias, residual, activation, y, tile);
                }
            }
        }
        finally
        {
            ScratchBuffer.Shared.Return(scratch);
        }
    }

    /// <summary>Output row <paramref name="oh"/> of sample <paramref name="n"/>, all channels; <paramref name="rows"/> is its first input row in the band.</summary>
    private static void OutputRow(in Conv2dGeometry g, BandLayout layout, int n, int oh, float* rows, int* offsets, float* weights, float* bias,
        float* residual, in FusedActivation activation, float* y, float* tile)
    {
        int depth = layout.Depth, width = g.OutWidth, padded = layout.PaddedWidth;
        for (int o0 = 0; o0 < g.OutChannels; o0 += ChannelBlock)
        {
            float* blockWeights = weights + (long)(o0 / ChannelBlock) * depth * ChannelBlock;
            float* blockBias = bias == null ? null : bias + o0;
            int channels = Math.Min(ChannelBlock, g.OutChannels - o0), column = 0;
            for (; column + ColumnBlock <= padded; column += ColumnBlock) Tile(rows + column, offsets, depth, blockWeights, blockBias, channels, tile + column, padded);
            if (column < padded) HalfTile(rows + column, offsets, depth, blockWeights, blockBias, channels, tile + column, padded);
            for (int i = 0; i < ChannelBlock && o0 + i < g.OutChannels; i++)
            {
                long at = (((long)n * g.OutChannels + o0 + i) * g.OutHeight + oh) * width;
                ResidualActivation.Apply(tile + (long)i * padded, residual == null ? null : residual + at, activation, y + at, width);
            }
        }
    }

    /// <summary>
    /// Eight output channels by 32 columns: sums over the depth by fused multiply-adds from zero, plus the bias, stored
    /// as rows of <paramref name="tile"/> (stride <paramref name="ldt"/>); rows past <paramref name="channels"/> get no bias.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(float* rows, int* offsets, int depth, float* weights, float* bias, int channels, float* tile, int ldt)
    {
        Vector512<float> c0a = default, c0b = default, c1a = default, c1b = default, c2a = default, c2b = default, c3a = default, c3b = default;
        Vector512<float> c4a = default, c4b = default, c5a = default, c5b = default, c6a = default, c6b = default, c7a = default, c7b = default;
        for (int k = 0; k < depth; k++, weights += ChannelBlock)
        {
            float* src = rows + offsets[k];
            var xa = Vector512.Load(src);
            var xb = Vector512.Load(src + 16);
            var wv = Vector512.Create(weights[0]); c0a = Avx512F.FusedMultiplyAdd(wv, xa, c0a); c0b = Avx512F.FusedMultiplyAdd(wv, xb, c0b);
            wv = Vector512.Create(weights[1]); c1a = Avx512F.FusedMultiplyAdd(wv, xa, c1a); c1b = Avx512F.FusedMultiplyAdd(wv, xb, c1b);
            wv = Vector512.Create(weights[2]); c2a = Avx512F.FusedMultiplyAdd(wv, xa, c2a); c2b = Avx512F.FusedMultiplyAdd(wv, xb, c2b);
            wv = Vector512.Create(weights[3]); c3a = Avx512F.FusedMultiplyAdd(wv, xa, c3a); c3b = Avx512F.FusedMultiplyAdd(wv, xb, c3b);
            wv = Vector512.Create(weights[4]); c4a = Avx512F.FusedMultiplyAdd(wv, xa, c4a); c4b = Avx512F.FusedMultiplyAdd(wv, xb, c4b);
            wv = Vector512.Create(weights[5]); c5a = Avx512F.FusedMultiplyAdd(wv, xa, c5a); c5b = Avx512F.FusedMultiplyAdd(wv, xb, c5b);
            wv = Vector512.Create(weights[6]); c6a = Avx512F.FusedMultiplyAdd(wv, xa, c6a); c6b = Avx512F.FusedMultiplyAdd(wv, xb, c6b);
            wv = Vector512.Create(weights[7]); c7a = Avx512F.FusedMultiplyAdd(wv, xa, c7a); c7b = Avx512F.FusedMultiplyAdd(wv, xb, c7b);
        }
        Store(c0a, c0b, bias, 0, channels, tile);
        Store(c1a, c1b, bias, 1, channels, tile + ldt);
        Store(c2a, c2b, bias, 2, channels, tile + 2L * ldt);
        Store(c3a, c3b, bias, 3, channels, tile + 3L * ldt);
        Store(c4a, c4b, bias, 4, channels, tile + 4L * ldt);
        Store(c5a, c5b, bias, 5, channels, tile + 5L * ldt);
        Store(c6a, c6b, bias, 6, channels, tile + 6L * ldt);
        Store(c7a, c7b, bias, 7, channels, tile + 7L * ldt);
    }

    /// <summary><see cref="Tile"/> for the last 16 columns of a row (a row 16 columns past a whole number of tiles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HalfTile(float* rows, int* offsets, int depth, float* weights, float* bias, int channels, float* tile, int ldt)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int k = 0; k < depth; k++, weights += ChannelBlock)
        {
            var xa = Vector512.Load(rows + offsets[k]);
            c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(weights[0]), xa, c0);
            c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(weights[1]), xa, c1);
            c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(weights[2]), xa, c2);
            c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(weights[3]), xa, c3);
            c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(weights[4]), xa, c4);
            c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(weights[5]), xa, c5);
            c6 = Avx512F.FusedMultiplyAdd(Vector512.Create(weights[6]), xa, c6);
            c7 = Avx512F.FusedMultiplyAdd(Vector512.Create(weights[7]), xa, c7);
        }
        Store(c0, bias, 0, channels, tile);
        Store(c1, bias, 1, channels, tile + ldt);
        Store(c2, bias, 2, channels, tile + 2L * ldt);
        Store(c3, bias, 3, channels, tile + 3L * ldt);
        Store(c4, bias, 4, channels, tile + 4L * ldt);
        Store(c5, bias, 5, channels, tile + 5L * ldt);
        Store(c6, bias, 6, channels, tile + 6L * ldt);
        Store(c7, bias, 7, channels, tile + 7L * ldt);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<float> a, float* bias, int row, int channels, float* dst)
    {
        if (bias != null && row < channels) a += Vector512.Create(bias[row]);
        a.Store(dst);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<float> a, Vector512<float> b, float* bias, int row, int channels, float* dst)
    {
        if (bias != null && row < channels)
        {
            var bv = Vector512.Create(bias[row]);
            a += bv;
            b += bv;
        }
        a.Store(dst);
        b.Store(dst + 16);
    }

    /// <summary>
    /// Where a band's input lies: per input channel, the (BandRows - 1) * SH + KH input rows the band's output rows read,
    /// each as SW phase rows of <see cref="PhaseLength"/> floats (phase b, index j: padded input column SW*j + b), zeros
    /// where the padded row has padding or where a row lies outside the input.
    /// </summary>
    private readonly struct BandLayout
    {
        public BandLayout(in Conv2dGeometry g)
        {
            Depth = g.InChannels * g.KernelHeight * g.KernelWidth;
            PaddedWidth = (g.OutWidth + 15) / 16 * 16;
            PhaseLength = PaddedWidth + (g.KernelWidth - 1) / g.StrideW;
            RowStride = g.StrideW * PhaseLength;
            BandInputRows = (BandRows - 1) * g.StrideH + g.KernelHeight;
            ChannelStride = BandInputRows * RowStride;
            BandLength = g.InChannels * ChannelStride;
        }

        public int Depth { get; }

        /// <summary>Output columns rounded up to whole vectors: whole tiles of 32, then possibly one of 16.</summary>
        public int PaddedWidth { get; }

        public int PhaseLength { get; }

        public int RowStride { get; }

        public int BandInputRows { get; }

        public int ChannelStride { get; }

        public int BandLength { get; }

        /// <summary>Lays out the input rows of the band starting at output row <paramref name="oh0"/> of one sample (planes at <paramref name="x"/>).</summary>
        public void Fill(in Conv2dGeometry g, float* x, int oh0, float* band)
        {
            int sw = g.StrideW, width = g.InWidth;
            for (int c = 0; c < g.InChannels; c++)
            {
                float* plane = x + (long)c * g.InHeight * width;
                for (int r = 0; r < BandInputRows; r++)
                {
                    float* row = band + (long)c * ChannelStride + (long)r * RowStride;
                    int ih = oh0 * g.StrideH - g.PadTop + r;
                    if ((uint)ih >= (uint)g.InHeight)
                    {
                        new Span<float>(row, RowStride).Clear();
                        continue;
                    }
                    float* src = plane + (long)ih * width;
                    for (int phase = 0; phase < sw; phase++)
                    {
                        float* dst = row + phase * PhaseLength;
                        // Phase index j holds input column sw*j + phase - padLeft where that lies in [0, width).
                        int lo = Math.Max(0, (g.PadLeft - phase + sw - 1) / sw);
                        int last = width - 1 + g.PadLeft - phase;
                        int hi = last < 0 ? 0 : Math.Min(PhaseLength, last / sw + 1);
                        if (hi <= lo)
                        {
                            new Span<float>(dst, PhaseLength).Clear();
                            continue;
                        }
                        new Span<float>(dst, lo).Clear();
                        new Span<float>(dst + hi, PhaseLength - hi).Clear();
                        int start = sw * lo + phase - g.PadLeft;
                        if (sw == 1) Buffer.MemoryCopy(src + start, dst + lo, (long)(hi - lo) * sizeof(float), (long)(hi - lo) * sizeof(float));
                        else EvenGather.Apply(src + start, dst + lo, hi - lo, width - start);
                    }
                }
            }
        }
    }
}
