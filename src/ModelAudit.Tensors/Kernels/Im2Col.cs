using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LowerRow(in Conv2dGeometry g, int row, float* x, float* dst)
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
            if (g.StrideW == 1)
            {
                new ReadOnlySpan<float>(src + owBegin, owEnd - owBegin).CopyTo(new Span<float>(dst + owBegin, owEnd - owBegin));
            }
            else
            {
                for (int ow = owBegin; ow < owEnd; ow++) dst[ow] = src[ow * g.StrideW];
            }
            for (int ow = Math.Max(owBegin, owEnd); ow < outW; ow++) dst[ow] = 0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RaiseRow(in Conv2dGeometry g, int row, float* src, float* dx)
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
