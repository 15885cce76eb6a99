using System.Runtime.CompilerServices;
using ModelAudit.Tensors.Kernels.Layout;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// The scratch layout of <see cref="DepthwiseConv2d"/>: one input plane zero-padded and split into column phases.
/// With stride s, phase p holds the padded columns p, p + s, p + 2s, ...; so output column ow at tap (kh, kw) reads
/// phase (kw * dilation) mod s, row oh * strideH + kh * dilationH, column ow + (kw * dilation) / s: a contiguous run
/// over ow. Phase rows are wide enough for whole vectors of output columns at every tap, and padded with zeros.
/// </summary>
internal readonly struct DepthwisePlane
{
    private readonly int _inHeight, _inWidth, _kernelHeight, _kernelWidth, _strideW, _dilationH, _dilationW, _padTop, _padLeft;

    /// <summary>The layout for a depthwise convolution.</summary>
    public DepthwisePlane(in Conv2dGeometry g, int lanes)
        : this(g.InHeight, g.InWidth, g.OutHeight, g.OutWidth, g.KernelHeight, g.KernelWidth, g.StrideH, g.StrideW,
            g.PadTop, g.PadLeft, g.DilationH, g.DilationW, lanes)
    {
    }

    /// <summary>The layout for a pooling window (whose output size may round up).</summary>
    public DepthwisePlane(in Pool2dGeometry g, int lanes)
        : this(g.InHeight, g.InWidth, g.OutHeight, g.OutWidth, g.KernelHeight, g.KernelWidth, g.StrideH, g.StrideW,
            g.PadTop, g.PadLeft, g.DilationH, g.DilationW, lanes)
    {
    }

    /// <summary>The most elements a lowered plane may take (64 MiB of floats) and the most taps a window may have.</summary>
    internal const long MaxLength = 1L << 24;

    /// <inheritdoc cref="MaxLength"/>
    internal const long MaxTaps = 4096;

    /// <summary>
    /// Whether the layout of a depthwise convolution is small enough to build. A window or dilation far larger than the
    /// plane (valid ONNX, but degenerate or hostile) would make the padded plane huge or overflow its int offsets; the
    /// kernels then take their general paths, which visit only the taps inside the input.
    /// </summary>
    public static bool Fits(in Conv2dGeometry g, int lanes)
        => Fits(g.OutHeight, g.OutWidth, g.KernelHeight, g.KernelWidth, g.StrideH, g.StrideW, g.DilationH, g.DilationW, lanes);

    /// <inheritdoc cref="Fits(in Conv2dGeometry, int)"/>
    public static bool Fits(in Pool2dGeometry g, int lanes)
        => Fits(g.OutHeight, g.OutWidth, g.KernelHeight, g.KernelWidth, g.StrideH, g.StrideW, g.DilationH, g.DilationW, lanes);

    private static bool Fits(long outHeight, long outWidth, long kernelHeight, long kernelWidth, long strideH, long strideW, long dilationH, long dilationW, long lanes)
    {
        if (kernelHeight * kernelWidth > MaxTaps) return false;
        long roundedWidth = (outWidth + lanes - 1) / lanes * lanes;
        long width = roundedWidth + (kernelWidth - 1) * dilationW / strideW;
        long rows = (outHeight - 1) * strideH + (kernelHeight - 1) * dilationH + 1;
        return width * rows * strideW <= MaxLength && strideH * width <= MaxLength && outHeight * roundedWidth <= MaxLength;
    }

    private DepthwisePlane(int inHeight, int inWidth, int outHeight, int outWidth, int kernelHeight, int kernelWidth,
        int strideH, int strideW, int padTop, int padLeft, int dilationH, int dilationW, int lanes)
    {
        _inHeight = inHeight;
        _inWidth = inWidth;
        _kernelHeight = kernelHeight;
        _kernelWidth = kernelWidth;
        _strideW = strideW;
        _dilationH = dilationH;
        _dilationW = dilationW;
        _padTop = padTop;
        _padLeft = padLeft;
        OutHeight = outHeight;
        OutWidth = outWidth;
        KernelArea = kernelHeight * kernelWidth;
        RoundedWidth = (outWidth + lanes - 1) / lanes * lanes;
        Width = RoundedWidth + (kernelWidth - 1) * dilationW / strideW;
        Rows = (outHeight - 1) * strideH + (kernelHeight - 1) * dilationH + 1;
        RowStep = strideH * Width;
        PhaseLength = (long)Rows * Width;
        Length = strideW * PhaseLength;
        GradientLength = (long)outHeight * RoundedWidth;
    }

    public int OutHeight { get; }

    public int OutWidth { get; }

    public int KernelArea { get; }

    /// <summary>Output columns rounded up to whole vectors: the row length of a padded output-gradient plane.</summary>
    public int RoundedWidth { get; }

    /// <summary>Columns of one phase row.</summary>
    public int Width { get; }

    /// <summary>Padded rows the taps reach.</summary>
    public int Rows { get; }

    /// <summary>Elements between the first tap of output row oh and of row oh + 1.</summary>
    public int RowStep { get; }

    /// <summary>Elements of one phase.</summary>
    public long PhaseLength { get; }

    /// <summary>Elements of the whole phased plane.</summary>
    public long Length { get; }

    /// <summary>Elements of a padded output-gradient plane (<see cref="RoundedWidth"/> per row).</summary>
    public long GradientLength { get; }

    /// <summary>Offset of each tap (kh, kw) in row-major order from the start of output row 0.</summary>
    public unsafe void TapOffsets(int* taps)
    {
        for (int kh = 0; kh < _kernelHeight; kh++)
        for (int kw = 0; kw < _kernelWidth; kw++)
        {
            int shift = kw * _dilationW;
            taps[kh * _kernelWidth + kw] = checked((int)(shift % _strideW * PhaseLength + (long)kh * _dilationH * Width + shift / _strideW));
        }
    }

    /// <summary>Copies input plane <paramref name="x"/> (InHeight x InWidth) into the phased layout, zeros elsewhere.</summary>
    public unsafe void Lower(float* x, float* padded) => Lower(x, padded, 0f);

    /// <summary>Copies input plane <paramref name="x"/> into the phased layout, <paramref name="fill"/> elsewhere.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public unsafe void Lower(float* x, float* padded, float fill)
    {
        int stride = _strideW, inH = _inHeight, inW = _inWidth, padTop = _padTop, padLeft = _padLeft, width = Width;
        for (int phase = 0; phase < stride; phase++)
        {
            // Columns c of this phase read input column c * stride + phase - padLeft: valid for c in [begin, end).
            int begin = Math.Min(width, CeilDiv(Math.Max(0, padLeft - phase), stride));
            int end = Math.Max(begin, Math.Min(width, CeilDiv(inW + padLeft - phase, stride)));
            int firstColumn = begin * stride + phase - padLeft;
            float* dstPhase = padded + phase * PhaseLength;
            for (int r = 0; r < Rows; r++)
            {
                float* dst = dstPhase + (long)r * width;
                int ih = r - padTop;
                if ((uint)ih >= (uint)inH)
                {
                    new Span<float>(dst, width).Fill(fill);
                    continue;
                }
                new Span<float>(dst, begin).Fill(fill);
                float* src = x + (long)ih * inW + firstColumn;
                StridedGather.Apply(src, dst + begin, end - begin, stride, inW - firstColumn);
                new Span<float>(dst + end, width - end).Fill(fill);
            }
        }
    }

    /// <summary>
    /// Copies input plane <paramref name="x"/> into the phased layout's input positions only: the padding is left as a
    /// previous <see cref="Lower(float*, float*)"/> into the same buffer wrote it (it is the same for every plane).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public unsafe void LowerInterior(float* x, float* padded)
    {
        int stride = _strideW, inH = _inHeight, inW = _inWidth, padTop = _padTop, padLeft = _padLeft, width = Width;
        int lastRow = Math.Min(Rows, inH + padTop);
        for (int phase = 0; phase < stride; phase++)
        {
            int begin = Math.Min(width, CeilDiv(Math.Max(0, padLeft - phase), stride));
            int end = Math.Max(begin, Math.Min(width, CeilDiv(inW + padLeft - phase, stride)));
            int firstColumn = begin * stride + phase - padLeft, count = end - begin;
            float* dstPhase = padded + phase * PhaseLength + begin;
            for (int r = padTop; r < lastRow; r++)
            {
                float* dst = dstPhase + (long)r * width;
                float* src = x + (long)(r - padTop) * inW + firstColumn;
                StridedGather.Apply(src, dst, count, stride, inW - firstColumn);
            }
        }
    }

    /// <summary>Copies output-gradient plane <paramref name="dy"/> into rows of <see cref="RoundedWidth"/>, zero-filled.</summary>
    public unsafe void PadGradient(float* dy, float* gradient)
    {
        int outW = OutWidth, rounded = RoundedWidth;
        for (int oh = 0; oh < OutHeight; oh++)
        {
            float* dst = gradient + (long)oh * rounded;
            new ReadOnlySpan<float>(dy + (long)oh * outW, outW).CopyTo(new Span<float>(dst, outW));
            new Span<float>(dst + outW, rounded - outW).Clear();
        }
    }

    /// <summary>The inverse of <see cref="Lower(float*, float*)"/> for a gradient: input plane <paramref name="dx"/> from the phased layout (zeros where no tap reached).</summary>
    public unsafe void Raise(float* padded, float* dx)
    {
        int stride = _strideW, inH = _inHeight, inW = _inWidth, padTop = _padTop, padLeft = _padLeft, width = Width;
        // Stride 2 weaves each row's two phases back together with vectors; one row of the woven plane at a time.
        float* woven = null;
        if (stride == 2 && width <= WovenRowLimit)
        {
            float* row = stackalloc float[2 * width];
            woven = row;
        }
        for (int ih = 0; ih < inH; ih++)
        {
            float* dst = dx + (long)ih * inW;
            int r = ih + padTop;
            if (r >= Rows)
            {
                new Span<float>(dst, inW).Clear();
                continue;
            }
            if (stride == 1)
            {
                int copied = Math.Clamp(width - padLeft, 0, inW);
                new ReadOnlySpan<float>(padded + (long)r * width + padLeft, copied).CopyTo(new Span<float>(dst, copied));
                new Span<float>(dst + copied, inW - copied).Clear();
                continue;
            }
            int reach = Math.Clamp(stride * width - padLeft, 0, inW);
            if (woven != null)
            {
                Interleave.Apply(padded + (long)r * width, padded + PhaseLength + (long)r * width, woven, width);
                ShortCopy.Apply(woven + padLeft, dst, reach);
            }
            else
            {
                // Input column iw is padded column iw + padLeft: phase (iw + padLeft) mod s, index (iw + padLeft) / s.
                for (int phase = 0; phase < stride; phase++)
                {
                    float* src = padded + phase * PhaseLength + (long)r * width;
                    int first = (phase - padLeft % stride + stride) % stride;
                    for (int iw = first, c = (first + padLeft) / stride; iw < reach; iw += stride, c++) dst[iw] = src[c];
                }
            }
            new Span<float>(dst + reach, inW - reach).Clear();
        }
    }

    /// <summary>Widest phase row <see cref="Raise"/> weaves on the stack (larger planes take the per-phase loop).</summary>
    private const int WovenRowLimit = 2048;

    private static int CeilDiv(int a, int b) => (a + b - 1) / b;
}
