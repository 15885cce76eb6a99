using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Direct depthwise convolution (groups == C == O, one KH x KW filter per channel). Forward and input
/// gradient run in parallel over (sample, channel) planes; the filter gradient over channels, summing
/// samples in ascending order. Lengths are checked by <see cref="Conv2d"/>.
/// </summary>
internal static unsafe class DepthwiseConv2d
{
    /// <summary>y = depthwise conv(x, w) + bias (bias may be empty).</summary>
    public static void Forward(in Conv2dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y)
    {
        Conv2dGeometry geometry = g;
        int channels = g.InChannels, kernelArea = g.KernelHeight * g.KernelWidth;
        long inPlane = (long)g.InHeight * g.InWidth, outPlane = (long)g.OutHeight * g.OutWidth;
        bool hasBias = !bias.IsEmpty;
        fixed (float* px = x, pw = w, pb = bias, py = y)
        {
            float* xs = px, ws = pw, bs = pb, ys = py;
            KernelParallel.For(g.Batch * channels, outPlane * kernelArea, (first, end) =>
            {
                for (int plane = first; plane < end; plane++)
                {
                    int c = plane % channels;
                    float* dst = ys + plane * outPlane;
                    new Span<float>(dst, (int)outPlane).Fill(hasBias ? bs[c] : 0f);
                    ForwardPlane(geometry, xs + plane * inPlane, ws + (long)c * kernelArea, dst);
                }
            });
        }
    }

    /// <summary>dx = depthwise conv^T(dy, w) (overwrites dx).</summary>
    public static void BackwardData(in Conv2dGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx)
    {
        Conv2dGeometry geometry = g;
        int channels = g.InChannels, kernelArea = g.KernelHeight * g.KernelWidth;
        long inPlane = (long)g.InHeight * g.InWidth, outPlane = (long)g.OutHeight * g.OutWidth;
        fixed (float* pdy = dy, pw = w, pdx = dx)
        {
            float* dys = pdy, ws = pw, dxs = pdx;
            KernelParallel.For(g.Batch * channels, outPlane * kernelArea, (first, end) =>
            {
                for (int plane = first; plane < end; plane++)
                {
                    int c = plane % channels;
                    float* dst = dxs + plane * inPlane;
                    new Span<float>(dst, (int)inPlane).Clear();
                    BackwardDataPlane(geometry, dys + plane * outPlane, ws + (long)c * kernelArea, dst);
                }
            });
        }
    }

    /// <summary>dw[c] = sum over samples of the correlation of x[n, c] with dy[n, c] (overwrites dw).</summary>
    public static void BackwardFilter(in Conv2dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw)
    {
        Conv2dGeometry geometry = g;
        int channels = g.InChannels, kernelArea = g.KernelHeight * g.KernelWidth;
        long inPlane = (long)g.InHeight * g.InWidth, outPlane = (long)g.OutHeight * g.OutWidth;
        fixed (float* px = x, pdy = dy, pdw = dw)
        {
            float* xs = px, dys = pdy, dws = pdw;
            KernelParallel.For(channels, g.Batch * outPlane * kernelArea, (first, end) =>
            {
                for (int c = first; c < end; c++)
                {
                    float* dst = dws + (long)c * kernelArea;
                    new Span<float>(dst, kernelArea).Clear();
                    for (int n = 0; n < geometry.Batch; n++)
                    {
                        long plane = (long)n * channels + c;
                        FilterPlane(geometry, xs + plane * inPlane, dys + plane * outPlane, dst);
                    }
                }
            });
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardPlane(in Conv2dGeometry g, float* x, float* w, float* y)
    {
        int outH = g.OutHeight, outW = g.OutWidth, inH = g.InHeight, inW = g.InWidth;
        for (int oh = 0; oh < outH; oh++)
        {
            float* yRow = y + (long)oh * outW;
            for (int kh = 0; kh < g.KernelHeight; kh++)
            {
                int ih = oh * g.StrideH - g.PadTop + kh * g.DilationH;
                if ((uint)ih >= (uint)inH) continue;
                float* xRow = x + (long)ih * inW;
                for (int kw = 0; kw < g.KernelWidth; kw++)
                {
                    float wv = w[kh * g.KernelWidth + kw];
                    int offset = kw * g.DilationW - g.PadLeft;
                    (int begin, int end) = Im2Col.ValidRange(outW, g.StrideW, offset, inW);
                    float* src = xRow + offset;
                    if (g.StrideW == 1)
                    {
                        AddScaled(yRow + begin, src + begin, wv, end - begin);
                    }
                    else
                    {
                        for (int ow = begin; ow < end; ow++) yRow[ow] += wv * src[ow * g.StrideW];
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardDataPlane(in Conv2dGeometry g, float* dy, float* w, float* dx)
    {
        int outH = g.OutHeight, outW = g.OutWidth, inH = g.InHeight, inW = g.InWidth;
        for (int oh = 0; oh < outH; oh++)
        {
            float* dyRow = dy + (long)oh * outW;
            for (int kh = 0; kh < g.KernelHeight; kh++)
            {
                int ih = oh * g.StrideH - g.PadTop + kh * g.DilationH;
                if ((uint)ih >= (uint)inH) continue;
                float* dxRow = dx + (long)ih * inW;
                for (int kw = 0; kw < g.KernelWidth; kw++)
                {
                    float wv = w[kh * g.KernelWidth + kw];
                    int offset = kw * g.DilationW - g.PadLeft;
                    (int begin, int end) = Im2Col.ValidRange(outW, g.StrideW, offset, inW);
                    float* dst = dxRow + offset;
                    if (g.StrideW == 1)
                    {
                        AddScaled(dst + begin, dyRow + begin, wv, end - begin);
                    }
                    else
                    {
                        for (int ow = begin; ow < end; ow++) dst[ow * g.StrideW] += wv * dyRow[ow];
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FilterPlane(in Conv2dGeometry g, float* x, float* dy, float* dw)
    {
        int outH = g.OutHeight, outW = g.OutWidth, inH = g.InHeight, inW = g.InWidth;
        for (int kh = 0; kh < g.KernelHeight; kh++)
        {
            for (int kw = 0; kw < g.KernelWidth; kw++)
            {
                int offset = kw * g.DilationW - g.PadLeft;
                (int begin, int end) = Im2Col.ValidRange(outW, g.StrideW, offset, inW);
                float sum = 0;
                for (int oh = 0; oh < outH; oh++)
                {
                    int ih = oh * g.StrideH - g.PadTop + kh * g.DilationH;
                    if ((uint)ih >= (uint)inH) continue;
                    float* src = x + (long)ih * inW + offset;
                    float* dyRow = dy + (long)oh * outW;
                    if (g.StrideW == 1)
                    {
                        sum += TensorPrimitives.Dot(new ReadOnlySpan<float>(dyRow + begin, end - begin), new ReadOnlySpan<float>(src + begin, end - begin));
                    }
                    else
                    {
                        for (int ow = begin; ow < end; ow++) sum += dyRow[ow] * src[ow * g.StrideW];
                    }
                }
                dw[kh * g.KernelWidth + kw] += sum;
            }
        }
    }

    /// <summary>dst[i] += scale * src[i]; rows are short (tens of elements), so inline vectors beat a library call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddScaled(float* dst, float* src, float scale, int count)
    {
        int i = 0;
        Vector256<float> scaleV = Vector256.Create(scale);
        for (; i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(dst + i) + Vector256.Load(src + i) * scaleV, dst + i);
        for (; i < count; i++) dst[i] += src[i] * scale;
    }
}
