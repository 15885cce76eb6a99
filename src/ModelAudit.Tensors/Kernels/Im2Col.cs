using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

using ModelAudit.Tensors.Kernels.Layout;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Lowers one sample-group of NCHW input to the (Cg*KH*KW) x (OH*OW) column matrix of a convolution and
/// back (col2im, accumulating). Both run in parallel over channels, so each element has one writer.
/// </summary>
internal static unsafe class Im2Col
{
    /// <summary>Fills <paramref name="col"/> (on the calling thread unless <paramref name="parallel"/>) from the <paramref name="channels"/> planes at <paramref name="x"/>.</summary>
    public static void Lower(in Conv2dGeometry g, int channels, float* x, float* col, bool parallel)
    {
        Conv2dGeometry geometry = g;
        int kernelArea = g.KernelHeight * g.KernelWidth;
        long spatial = (long)g.OutHeight * g.OutWidth;
        KernelParallel.For(channels * kernelArea, parallel ? spatial : 0, (first, end) =>
        {
            for (int row = first; row < end; row++) LowerRow(geometry, row, x, col + row * spatial);
        });
    }

    /// <summary>
    /// Writes the column matrix of the <paramref name="channels"/> planes at <paramref name="x"/> straight into
    /// the <see cref="SgemmPack.PrepackedLength"/> layout for <c>Sgemm.MultiplyPrepacked</c>, which
    /// saves the GEMM a pass that would copy the whole column matrix into panels. Works panel by panel so
    /// the writes are sequential; in parallel over panels. With several <paramref name="samples"/> (planes of sample j
    /// at x + j * <paramref name="sampleStride"/>) their column matrices lie side by side, [rows, samples * OH * OW].
    /// </summary>
    public static void LowerPrepacked(in Conv2dGeometry g, int channels, float* x, float* packed, bool parallel, int samples = 1, long sampleStride = 0)
    {
        // A 1x1, stride-1, unpadded convolution's column row of a channel is its whole plane: lowered as one row of H*W,
        // a panel takes one run per sample instead of one per output row (resnet50's 1x1 convolutions on 14x14 and
        // 7x7 maps, batched side by side, copied 14 or 7 floats at a time).
        Conv2dGeometry geometry = Conv2d.IsPointwise(g) ? g with { InHeight = 1, InWidth = g.InHeight * g.InWidth } : g;
        if (LowersByPermutes(geometry))
        {
            LowerByPermutes(geometry, channels, x, packed, parallel, samples, sampleStride);
            return;
        }
        LowerPrepackedRows(geometry, channels, x, packed, parallel, samples, sampleStride);
    }

    /// <summary>
    /// Whether <see cref="LowerPrepacked"/> lowers by permutes (<see cref="LowerByPermutes"/>): AVX-512, an input plane and
    /// an output map of at most 16 positions each (4x4 and 2x2 maps: resnet's last stages on 64x64 or CIFAR-sized
    /// inputs), and a whole number of samples per panel. The row-by-row lowering was 13% of the `conductance` suite's
    /// sweep (resnet18 at 64x64, `perf`); by permutes the sweep ran 1.12-1.21x faster at two threads, 1.11-1.12x at one.
    /// </summary>
    internal static bool LowersByPermutes(in Conv2dGeometry g)
    {
        long plane = (long)g.InHeight * g.InWidth, spatial = (long)g.OutHeight * g.OutWidth;
        return Avx512F.IsSupported && plane <= Lanes && spatial >= 1 && spatial <= Lanes && Sgemm.NR % spatial == 0;
    }

    private const int Lanes = 16;

    /// <summary>
    /// <see cref="LowerPrepacked"/> for maps of at most 16 positions: a sample's input plane is one vector, and its
    /// column-matrix row for tap (kh, kw) is a fixed permutation of that vector with zeros where the tap falls in the
    /// padding, so each tap of each sample is one two-source permute (against a zero vector) and one store, where the
    /// row-by-row lowering copied a few floats per output row. The same values in the same places as
    /// <see cref="LowerPrepackedRows"/>.
    /// </summary>
    internal static void LowerByPermutes(in Conv2dGeometry g, int channels, float* x, float* packed, bool parallel, int samples, long sampleStride)
    {
        int nr = Sgemm.NR, spatial = g.OutHeight * g.OutWidth, columns = samples * spatial, panels = (columns + nr - 1) / nr;
        int kernelArea = g.KernelHeight * g.KernelWidth, rows = channels * kernelArea;
        int[] indices = ArrayPool<int>.Shared.Rent(kernelArea * Lanes);
        try
        {
            // Lane j of tap t's permutation: the input position output position j reads, or 16 (the zero vector's first
            // lane) in the padding and past the map.
            for (int t = 0; t < kernelArea; t++)
            {
                int kh = t / g.KernelWidth, kw = t % g.KernelWidth;
                for (int j = 0; j < Lanes; j++)
                {
                    int index = Lanes;
                    if (j < spatial)
                    {
                        int ih = j / g.OutWidth * g.StrideH - g.PadTop + kh * g.DilationH, iw = j % g.OutWidth * g.StrideW - g.PadLeft + kw * g.DilationW;
                        if ((uint)ih < (uint)g.InHeight && (uint)iw < (uint)g.InWidth) index = ih * g.InWidth + iw;
                    }
                    indices[t * Lanes + j] = index;
                }
            }
            int plane = g.InHeight * g.InWidth;
            fixed (int* pindices = indices)
            {
                int* table = pindices;
                KernelParallel.For(panels, parallel ? (long)rows * nr : 0, (first, end) =>
                {
                    for (int q = first; q < end; q++) LowerPanelByPermutes(q, panels, rows, columns, kernelArea, plane, spatial, table, x, sampleStride, packed);
                });
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(indices);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void LowerPanelByPermutes(int q, int panels, int rows, int columns, int kernelArea, int plane, int spatial, int* indices,
        float* x, long sampleStride, float* packed)
    {
        int nr = Sgemm.NR, filled = Math.Min(nr, columns - q * nr), firstSample = q * nr / spatial, count = filled / spatial;
        var lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        Vector512<float> planeMask = Vector512.LessThan(lanes, Vector512.Create(plane)).AsSingle();
        Vector512<float> storeMask = Vector512.LessThan(lanes, Vector512.Create(spatial)).AsSingle();
        float* samples = x + firstSample * sampleStride;
        for (int p0 = 0; p0 < rows; p0 += Sgemm.BlockK)
        {
            int kc = Math.Min(Sgemm.BlockK, rows - p0);
            float* d = packed + (long)p0 * panels * nr + (long)q * kc * nr;
            int c = p0 / kernelArea, t = p0 % kernelArea;
            for (int p = 0; p < kc; p++, d += nr)
            {
                var index = Vector512.Load(indices + t * Lanes);
                float* src = samples + (long)c * plane;
                for (int s = 0; s < count; s++, src += sampleStride)
                {
                    var row = Avx512F.PermuteVar16x32x2(Avx512F.MaskLoad(src, planeMask, Vector512<float>.Zero), index, Vector512<float>.Zero);
                    if (spatial == Lanes) row.Store(d + s * Lanes);
                    else Avx512F.MaskStore(d + s * spatial, storeMask, row);
                }
                for (int j = filled; j < nr; j++) d[j] = 0;
                if (++t == kernelArea)
                {
                    t = 0;
                    c++;
                }
            }
        }
    }

    /// <summary><see cref="LowerPrepacked"/> as geometry <paramref name="g"/> states it, one segment per output row (tests compare the two).</summary>
    internal static void LowerPrepackedRows(in Conv2dGeometry g, int channels, float* x, float* packed, bool parallel, int samples, long sampleStride)
    {
        int nr = Sgemm.NR, outW = g.OutWidth, spatial = g.OutHeight * outW, columns = samples * spatial;
        int panels = (columns + nr - 1) / nr;
        // Segments: the pieces of a panel that lie in one output row of one sample, as (sample, output row, first column, length).
        int maxSegments = panels * (nr / Math.Max(1, outW) + 3);
        int[] segments = ArrayPool<int>.Shared.Rent(SegmentFields * maxSegments + panels + 1);
        try
        {
            int count = 0;
            fixed (int* pinned = segments)
            {
                int* table = pinned, starts = pinned + SegmentFields * maxSegments;
                for (int q = 0; q < panels; q++)
                {
                    starts[q] = count;
                    for (int pos = q * nr, end = Math.Min(columns, pos + nr); pos < end;)
                    {
                        int sample = pos / spatial, within = pos % spatial;
                        int oh = within / outW, ow = within % outW, length = Math.Min(end - pos, outW - ow);
                        int* entry = table + SegmentFields * count;
                        entry[0] = sample;
                        entry[1] = oh;
                        entry[2] = ow;
                        entry[3] = length;
                        count++;
                        pos += length;
                    }
                }
                starts[panels] = count;
                Conv2dGeometry geometry = g;
                int rows = channels * g.KernelHeight * g.KernelWidth;
                KernelParallel.For(panels, parallel ? (long)rows * nr : 0, (first, end) =>
                {
                    for (int q = first; q < end; q++) LowerPanel(geometry, q, panels, rows, columns, nr, table, starts, x, sampleStride, packed);
                });
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(segments);
        }
    }

    /// <summary>Ints per segment of <see cref="LowerPrepacked"/>: sample, output row, first output column, length.</summary>
    private const int SegmentFields = 4;

    /// <summary>Adds <paramref name="col"/> (on the calling thread unless <paramref name="parallel"/>) into the <paramref name="channels"/> planes at <paramref name="dx"/>.</summary>
    public static void Raise(in Conv2dGeometry g, int channels, float* col, float* dx, bool parallel)
    {
        Conv2dGeometry geometry = g;
        int kernelArea = g.KernelHeight * g.KernelWidth;
        long spatial = (long)g.OutHeight * g.OutWidth;
        KernelParallel.For(channels, parallel ? kernelArea * spatial : 0, (first, end) =>
        {
            for (int c = first; c < end; c++)
            {
                for (int kernelIndex = 0; kernelIndex < kernelArea; kernelIndex++)
                {
                    int row = c * kernelArea + kernelIndex;
                    RaiseRow(geometry, row, col + row * spatial, dx);
                }
            }
        });
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void LowerRow(in Conv2dGeometry g, int row, float* x, float* dst)
    {
        int kernelArea = g.KernelHeight * g.KernelWidth;
        int c = row / kernelArea, kh = row % kernelArea / g.KernelWidth, kw = row % g.KernelWidth;
        int outH = g.OutHeight, outW = g.OutWidth, inH = g.InHeight, inW = g.InWidth;
        float* plane = x + (long)c * inH * inW;
        int offsetW = kw * g.DilationW - g.PadLeft;
        (int owBegin, int owEnd) = ValidRange(outW, g.StrideW, offsetW, inW);
        for (int oh = 0; oh < outH; oh++, dst += outW)
        {
            int ih = oh * g.StrideH - g.PadTop + kh * g.DilationH;
            if ((uint)ih >= (uint)inH)
            {
                new Span<float>(dst, outW).Clear();
                continue;
            }
            float* src = plane + (long)ih * inW + offsetW;
            for (int ow = 0; ow < owBegin; ow++) dst[ow] = 0;
            if (owEnd > owBegin) StridedGather.Apply(src + (long)owBegin * g.StrideW, dst + owBegin, owEnd - owBegin, g.StrideW, inW - (offsetW + owBegin * g.StrideW));
            for (int ow = Math.Max(owBegin, owEnd); ow < outW; ow++) dst[ow] = 0;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void LowerPanel(in Conv2dGeometry g, int q, int panels, int rows, int columns, int nr, int* segments, int* starts, float* x, long sampleStride, float* packed)
    {
        int inH = g.InHeight, inW = g.InWidth, strideW = g.StrideW, outW = g.OutWidth;
        int filled = Math.Min(nr, columns - q * nr);
        int firstSegment = starts[q], endSegment = starts[q + 1];
        // Valid output-column range per kernel column, hoisted out of the row loop (it divides by the stride).
        int* validColumns = stackalloc int[2 * g.KernelWidth];
        for (int k = 0; k < g.KernelWidth; k++)
        {
            (validColumns[2 * k], validColumns[2 * k + 1]) = ValidRange(outW, strideW, k * g.DilationW - g.PadLeft, inW);
        }
        for (int p0 = 0; p0 < rows; p0 += Sgemm.BlockK)
        {
            int kc = Math.Min(Sgemm.BlockK, rows - p0);
            float* d = packed + (long)p0 * panels * nr + (long)q * kc * nr;
            int c = p0 / (g.KernelHeight * g.KernelWidth), kh = p0 / g.KernelWidth % g.KernelHeight, kw = p0 % g.KernelWidth;
            for (int p = 0; p < kc; p++, d += nr)
            {
                long planeOffset = (long)c * inH * inW;
                int offsetW = kw * g.DilationW - g.PadLeft;
                int owBegin = validColumns[2 * kw], owEnd = validColumns[2 * kw + 1];
                float* dst = d;
                for (int s = firstSegment; s < endSegment; s++)
                {
                    int* entry = segments + SegmentFields * s;
                    int oh = entry[1], ow0 = entry[2], length = entry[3];
                    float* plane = x + entry[0] * sampleStride + planeOffset;
                    int ih = oh * g.StrideH - g.PadTop + kh * g.DilationH;
                    float* run = dst - ow0;
                    int ow1 = ow0 + length;
                    if ((uint)ih >= (uint)inH)
                    {
                        for (int o = ow0; o < ow1; o++) run[o] = 0;
                    }
                    else
                    {
                        float* src = plane + (long)ih * inW + offsetW;
                        int copyBegin = Math.Max(ow0, owBegin), copyEnd = Math.Max(copyBegin, Math.Min(ow1, owEnd));
                        for (int o = ow0; o < copyBegin; o++) run[o] = 0;
                        if (copyEnd > copyBegin)
                            StridedGather.Apply(src + (long)copyBegin * strideW, run + copyBegin, copyEnd - copyBegin, strideW, inW - (offsetW + copyBegin * strideW));
                        for (int o = copyEnd; o < ow1; o++) run[o] = 0;
                    }
                    dst += length;
                }
                for (int j = filled; j < nr; j++) d[j] = 0;
                if (++kw == g.KernelWidth)
                {
                    kw = 0;
                    if (++kh == g.KernelHeight)
                    {
                        kh = 0;
                        c++;
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void RaiseRow(in Conv2dGeometry g, int row, float* src, float* dx)
    {
        int kernelArea = g.KernelHeight * g.KernelWidth;
        int c = row / kernelArea, kh = row % kernelArea / g.KernelWidth, kw = row % g.KernelWidth;
        int outH = g.OutHeight, outW = g.OutWidth, inH = g.InHeight, inW = g.InWidth;
        float* plane = dx + (long)c * inH * inW;
        int offsetW = kw * g.DilationW - g.PadLeft;
        (int owBegin, int owEnd) = ValidRange(outW, g.StrideW, offsetW, inW);
        for (int oh = 0; oh < outH; oh++, src += outW)
        {
            int ih = oh * g.StrideH - g.PadTop + kh * g.DilationH;
            if ((uint)ih >= (uint)inH) continue;
            float* dst = plane + (long)ih * inW + offsetW;
            if (g.StrideW == 1)
            {
                var run = new Span<float>(dst + owBegin, owEnd - owBegin);
                TensorPrimitives.Add(run, new ReadOnlySpan<float>(src + owBegin, owEnd - owBegin), run);
            }
            else
            {
                for (int ow = owBegin; ow < owEnd; ow++) dst[ow * g.StrideW] += src[ow];
            }
        }
    }

    /// <summary>Output columns [begin, end) whose input column ow * stride + offset lies in [0, inW).</summary>
    internal static (int Begin, int End) ValidRange(int outW, int stride, int offset, int inW)
    {
        int begin = Math.Min(outW, offset >= 0 ? 0 : (-offset + stride - 1) / stride);
        int end = inW - offset <= 0 ? 0 : Math.Min(outW, (inW - offset - 1) / stride + 1);
        return (begin, Math.Max(begin, end));
    }
}
