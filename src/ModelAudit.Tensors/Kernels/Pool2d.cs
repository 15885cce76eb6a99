using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// 2-D max and average pooling over NCHW input with ONNX (opset 10-17) / PyTorch semantics: ceil mode,
/// dilation (max only), asymmetric padding; for average pooling with count_include_pad the divisor counts
/// the explicit padding but not the ceil-mode overhang. Every loop runs in parallel over (sample, channel)
/// planes, and each plane is visited in a fixed order.
/// </summary>
internal static unsafe class Pool2d
{
    /// <summary>
    /// y = max over each window. <paramref name="argmax"/> (may be empty) receives, per output, the flat
    /// index into x of the maximum; ties keep the first index in window order, NaN wins as in PyTorch
    /// (-1 for a window that lies entirely in the padding).
    /// </summary>
    public static void MaxForward(in Pool2dGeometry g, ReadOnlySpan<float> x, Span<float> y, Span<int> argmax)
    {
        Validate(g);
        KernelGuard.RequireLength(x.Length, InputLength(g), nameof(x));
        KernelGuard.RequireLength(y.Length, OutputLength(g), nameof(y));
        bool record = !argmax.IsEmpty;
        if (record) KernelGuard.RequireLength(argmax.Length, OutputLength(g), nameof(argmax));
        if (DepthwisePlane.Fits(g, Vector256<float>.Count))
            MaxForwardVector(g, x, y, argmax);
        else
            MaxForwardScalar(g, x, y, argmax);
    }

    /// <summary>The scalar reference of <see cref="MaxForward"/> (window by window), kept for tests.</summary>
    internal static void MaxForwardScalar(in Pool2dGeometry g, ReadOnlySpan<float> x, Span<float> y, Span<int> argmax)
    {
        Pool2dGeometry geometry = g;
        bool record = !argmax.IsEmpty;
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        fixed (float* px = x, py = y)
        fixed (int* pidx = argmax)
        {
            float* xs = px, ys = py;
            int* indices = pidx;
            KernelParallel.For(g.Batch * g.Channels, (long)outPlane * g.KernelHeight * g.KernelWidth, (first, end) =>
            {
                for (int plane = first; plane < end; plane++)
                {
                    MaxPlane(geometry, xs, plane * inPlane, ys + (long)plane * outPlane, record ? indices + (long)plane * outPlane : null);
                }
            });
        }
    }

    /// <summary>dx = scatter of dy to the recorded argmax positions (overwrites dx); index -1 (an all-padding window) takes no gradient.</summary>
    public static void MaxBackward(in Pool2dGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx)
    {
        Validate(g);
        KernelGuard.RequireLength(dy.Length, OutputLength(g), nameof(dy));
        KernelGuard.RequireLength(argmax.Length, OutputLength(g), nameof(argmax));
        KernelGuard.RequireLength(dx.Length, InputLength(g), nameof(dx));
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        int badPlanes = 0;
        fixed (float* pdy = dy, pdx = dx)
        fixed (int* pidx = argmax)
        {
            float* dys = pdy, dxs = pdx;
            int* indices = pidx;
            KernelParallel.For(g.Batch * g.Channels, outPlane, (first, end) =>
            {
                for (int plane = first; plane < end; plane++)
                {
                    // Each plane's indices must stay in its own plane: that is what makes the scatter race-free.
                    int low = plane * inPlane, high = low + inPlane;
                    new Span<float>(dxs + low, inPlane).Clear();
                    float* dyPlane = dys + (long)plane * outPlane;
                    int* idxPlane = indices + (long)plane * outPlane;
                    for (int o = 0; o < outPlane; o++)
                    {
                        int index = idxPlane[o];
                        if (index == -1) continue;
                        if (index < low || index >= high)
                        {
                            Interlocked.Increment(ref badPlanes);
                            break;
                        }
                        dxs[index] += dyPlane[o];
                    }
                }
            });
        }
        if (badPlanes > 0) throw new ArgumentException("An argmax index points outside its own (sample, channel) plane.", nameof(argmax));
    }

    /// <summary>y = mean over each window; the divisor follows <paramref name="countIncludePad"/>.</summary>
    public static void AverageForward(in Pool2dGeometry g, bool countIncludePad, ReadOnlySpan<float> x, Span<float> y)
    {
        ValidateAverage(g);
        KernelGuard.RequireLength(x.Length, InputLength(g), nameof(x));
        KernelGuard.RequireLength(y.Length, OutputLength(g), nameof(y));
        Pool2dGeometry geometry = g;
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        fixed (float* px = x, py = y)
        {
            float* xs = px, ys = py;
            KernelParallel.For(g.Batch * g.Channels, (long)outPlane * g.KernelHeight * g.KernelWidth, (first, end) =>
            {
                for (int plane = first; plane < end; plane++)
                {
                    float* src = xs + (long)plane * inPlane;
                    float* dst = ys + (long)plane * outPlane;
                    for (int oh = 0; oh < geometry.OutHeight; oh++)
                    {
                        for (int ow = 0; ow < geometry.OutWidth; ow++)
                        {
                            Window window = AverageWindow(geometry, countIncludePad, oh, ow);
                            float sum = 0;
                            for (int ih = window.H0; ih < window.H1; ih++)
                            {
                                for (int iw = window.W0; iw < window.W1; iw++) sum += src[ih * geometry.InWidth + iw];
                            }
                            dst[oh * geometry.OutWidth + ow] = sum / window.Divisor;
                        }
                    }
                }
            });
        }
    }

    /// <summary>dx = each dy spread evenly (by the forward divisor) over its window (overwrites dx).</summary>
    public static void AverageBackward(in Pool2dGeometry g, bool countIncludePad, ReadOnlySpan<float> dy, Span<float> dx)
    {
        ValidateAverage(g);
        KernelGuard.RequireLength(dy.Length, OutputLength(g), nameof(dy));
        KernelGuard.RequireLength(dx.Length, InputLength(g), nameof(dx));
        Pool2dGeometry geometry = g;
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        fixed (float* pdy = dy, pdx = dx)
        {
            float* dys = pdy, dxs = pdx;
            KernelParallel.For(g.Batch * g.Channels, (long)outPlane * g.KernelHeight * g.KernelWidth, (first, end) =>
            {
                for (int plane = first; plane < end; plane++)
                {
                    float* src = dys + (long)plane * outPlane;
                    float* dst = dxs + (long)plane * inPlane;
                    new Span<float>(dst, inPlane).Clear();
                    for (int oh = 0; oh < geometry.OutHeight; oh++)
                    {
                        for (int ow = 0; ow < geometry.OutWidth; ow++)
                        {
                            Window window = AverageWindow(geometry, countIncludePad, oh, ow);
                            float share = src[oh * geometry.OutWidth + ow] / window.Divisor;
                            for (int ih = window.H0; ih < window.H1; ih++)
                            {
                                for (int iw = window.W0; iw < window.W1; iw++) dst[ih * geometry.InWidth + iw] += share;
                            }
                        }
                    }
                }
            });
        }
    }

    /// <summary>y[n, c] = mean of x[n, c, :] over <paramref name="spatial"/> positions, each summed in <see cref="PlaneMean"/>'s fixed order.</summary>
    public static void GlobalAverageForward(int batch, int channels, int spatial, ReadOnlySpan<float> x, Span<float> y)
    {
        CheckGlobal(batch, channels, spatial);
        int planes = batch * channels;
        KernelGuard.RequireLength(x.Length, (long)planes * spatial, nameof(x));
        KernelGuard.RequireLength(y.Length, planes, nameof(y));
        fixed (float* px = x, py = y) PlaneMean.Forward(px, py, planes, spatial);
    }

    /// <summary>dx[n, c, :] = dy[n, c] / <paramref name="spatial"/> (overwrites dx).</summary>
    public static void GlobalAverageBackward(int batch, int channels, int spatial, ReadOnlySpan<float> dy, Span<float> dx)
    {
        CheckGlobal(batch, channels, spatial);
        int planes = batch * channels;
        KernelGuard.RequireLength(dy.Length, planes, nameof(dy));
        KernelGuard.RequireLength(dx.Length, (long)planes * spatial, nameof(dx));
        for (int plane = 0; plane < planes; plane++) dx.Slice(plane * spatial, spatial).Fill(dy[plane] / spatial);
    }

    /// <summary>
    /// Max pooling, vectorised: each plane is copied into the column-phased layout of <see cref="DepthwisePlane"/>
    /// padded with -inf, then every vector of output columns takes the maximum over the window's taps in registers.
    /// Without indices (inference) a vector maximum, which propagates NaN as the scalar path does (it may return
    /// +0 where the scalar path keeps a first -0 of equal values). With indices, the scalar rule lane by lane, with a
    /// plane of flat input indices in the same layout (-1 in the padding): a tap is taken when it is greater than the
    /// maximum so far, NaN, or no real input has been taken yet. A padding tap (-inf, index -1) can be taken only while
    /// none has, which leaves the index at -1, so the window's first real input still wins, even at -inf: no test
    /// of which lanes are real is needed (a compare and an and per tap saved: 6.2 -> 3.4 ms for resnet's
    /// 3x3 stride-2 pool at b8 on one thread). The padding is written once per worker, each later plane lowered
    /// into its interior only (with indices or without, 5.8 -> 2.5 ms there).
    /// </summary>
    private static void MaxForwardVector(in Pool2dGeometry g, ReadOnlySpan<float> x, Span<float> y, Span<int> argmax)
    {
        int lanes = Vector256<float>.Count;
        var layout = new DepthwisePlane(g, lanes);
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth, kernelArea = g.KernelHeight * g.KernelWidth;
        bool record = !argmax.IsEmpty;
        // Flat input indices carried as float bit patterns through the same lowering (a bitwise copy), -1 in the padding.
        float[]? positions = record ? ArrayPool<float>.Shared.Rent(checked((int)layout.Length)) : null;
        float[]? flat = record ? ArrayPool<float>.Shared.Rent(inPlane) : null;
        try
        {
            fixed (float* px = x, py = y, ppos = positions, pflat = flat)
            fixed (int* pidx = argmax)
            {
                float* xs = px, ys = py;
                int* indices = pidx, position = (int*)ppos;
                if (record)
                {
                    for (int i = 0; i < inPlane; i++) ((int*)pflat)[i] = i;
                    layout.Lower(pflat, ppos, BitConverter.Int32BitsToSingle(-1));
                }
                KernelParallel.For(g.Batch * g.Channels, (long)outPlane * kernelArea, (first, end) =>
                {
                    float[] scratch = ArrayPool<float>.Shared.Rent(checked((int)layout.Length));
                    int* taps = stackalloc int[kernelArea];
                    float* tail = stackalloc float[lanes];
                    int* tailIndex = stackalloc int[lanes];
                    layout.TapOffsets(taps);
                    try
                    {
                        fixed (float* padded = scratch)
                        {
                            for (int plane = first; plane < end; plane++)
                            {
                                // The -inf padding is the same for every plane: written once per worker.
                                if (plane == first) layout.Lower(xs + (long)plane * inPlane, padded, float.NegativeInfinity);
                                else layout.LowerInterior(xs + (long)plane * inPlane, padded);
                                if (record)
                                    ArgMaxPlaneVector(layout, padded, position, taps, plane * inPlane, ys + (long)plane * outPlane, indices + (long)plane * outPlane, tail, tailIndex);
                                else
                                    MaxPlaneVector(layout, padded, taps, ys + (long)plane * outPlane, tail);
                            }
                        }
                    }
                    finally
                    {
                        ArrayPool<float>.Shared.Return(scratch);
                    }
                });
            }
        }
        finally
        {
            if (positions is not null) ArrayPool<float>.Shared.Return(positions);
            if (flat is not null) ArrayPool<float>.Shared.Return(flat);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ArgMaxPlaneVector(in DepthwisePlane layout, float* padded, int* position, int* taps, int planeOffset, float* y, int* argmax, float* tail, int* tailIndex)
    {
        int lanes = Vector256<float>.Count, outW = layout.OutWidth, rowStep = layout.RowStep, kernelArea = layout.KernelArea;
        Vector256<int> none = Vector256.Create(-1), offset = Vector256.Create(planeOffset);
        for (int oh = 0; oh < layout.OutHeight; oh++)
        {
            long rowStart = (long)oh * rowStep;
            float* yRow = y + (long)oh * outW;
            int* argRow = argmax + (long)oh * outW;
            for (int ow = 0; ow < outW; ow += lanes)
            {
                Vector256<float> best = Vector256.Create(float.NegativeInfinity);
                Vector256<int> index = none;
                for (int t = 0; t < kernelArea; t++)
                {
                    long at = rowStart + taps[t] + ow;
                    Vector256<float> v = Vector256.Load(padded + at);
                    Vector256<int> p = Vector256.Load(position + at);
                    Vector256<int> take = Vector256.GreaterThan(v, best).AsInt32()
                        | ~Vector256.Equals(v, v).AsInt32()
                        | Vector256.LessThan(index, Vector256<int>.Zero);
                    best = Vector256.ConditionalSelect(take.AsSingle(), v, best);
                    index = Vector256.ConditionalSelect(take, p, index);
                }
                Vector256<int> flatIndex = Vector256.ConditionalSelect(Vector256.LessThan(index, Vector256<int>.Zero), none, index + offset);
                if (ow + lanes <= outW)
                {
                    best.Store(yRow + ow);
                    flatIndex.Store(argRow + ow);
                }
                else
                {
                    best.Store(tail);
                    flatIndex.Store(tailIndex);
                    for (int i = 0; i < outW - ow; i++)
                    {
                        yRow[ow + i] = tail[i];
                        argRow[ow + i] = tailIndex[i];
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MaxPlaneVector(in DepthwisePlane layout, float* padded, int* taps, float* y, float* tail)
    {
        int lanes = Vector256<float>.Count, outW = layout.OutWidth, rowStep = layout.RowStep, kernelArea = layout.KernelArea;
        for (int oh = 0; oh < layout.OutHeight; oh++)
        {
            float* source = padded + (long)oh * rowStep;
            float* yRow = y + (long)oh * outW;
            for (int ow = 0; ow < outW; ow += lanes)
            {
                Vector256<float> m = Vector256.Load(source + taps[0] + ow);
                for (int t = 1; t < kernelArea; t++) m = Vector256.Max(m, Vector256.Load(source + taps[t] + ow));
                if (ow + lanes <= outW)
                {
                    m.Store(yRow + ow);
                }
                else
                {
                    m.Store(tail);
                    for (int i = 0; i < outW - ow; i++) yRow[ow + i] = tail[i];
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MaxPlane(in Pool2dGeometry g, float* x, int planeOffset, float* y, int* argmax)
    {
        float* src = x + planeOffset;
        int inH = g.InHeight, inW = g.InWidth;
        for (int oh = 0; oh < g.OutHeight; oh++)
        {
            int h0 = oh * g.StrideH - g.PadTop;
            for (int ow = 0; ow < g.OutWidth; ow++)
            {
                int w0 = ow * g.StrideW - g.PadLeft;
                float max = float.NegativeInfinity;
                int best = -1;
                // Only the taps that land inside the input, in the same row-major order (a hostile
                // kernel of 2^31-1 taps with matching padding would otherwise be scanned tap by tap).
                var (khFirst, khEnd) = TapRange(h0, g.DilationH, g.KernelHeight, inH);
                var (kwFirst, kwEnd) = TapRange(w0, g.DilationW, g.KernelWidth, inW);
                for (int kh = khFirst; kh < khEnd; kh++)
                {
                    int ih = h0 + kh * g.DilationH;
                    for (int kw = kwFirst; kw < kwEnd; kw++)
                    {
                        int iw = w0 + kw * g.DilationW;
                        float v = src[ih * inW + iw];
                        // Strict '>' keeps the first of equal maxima; NaN propagates (PyTorch).
                        if (v > max || float.IsNaN(v) || best < 0)
                        {
                            max = v;
                            best = ih * inW + iw;
                        }
                    }
                }
                int o = oh * g.OutWidth + ow;
                y[o] = max;
                // A window entirely in the padding (pads at least the kernel extent) has no input: -inf, index -1.
                if (argmax != null) argmax[o] = best < 0 ? -1 : planeOffset + best;
            }
        }
    }

    /// <summary>The taps [first, end) of a window starting at <paramref name="origin"/> that fall inside [0, <paramref name="length"/>).</summary>
    private static (int First, int End) TapRange(int origin, int dilation, int kernel, int length)
    {
        long first = origin >= 0 ? 0 : ((long)-origin + dilation - 1) / dilation;
        long end = origin >= length ? 0 : ((long)length - 1 - origin) / dilation + 1;
        return ((int)Math.Min(first, kernel), (int)Math.Clamp(end, 0, kernel));
    }

    /// <summary>Clipped window bounds of output (oh, ow) and its averaging divisor.</summary>
    private static Window AverageWindow(in Pool2dGeometry g, bool countIncludePad, int oh, int ow)
    {
        int h0 = oh * g.StrideH - g.PadTop, w0 = ow * g.StrideW - g.PadLeft;
        // The padded extent stops at the explicit end padding; the ceil-mode overhang beyond it never counts.
        int h1 = Math.Min(h0 + g.KernelHeight, g.InHeight + g.PadBottom);
        int w1 = Math.Min(w0 + g.KernelWidth, g.InWidth + g.PadRight);
        int paddedArea = (h1 - h0) * (w1 - w0);
        h0 = Math.Max(h0, 0);
        w0 = Math.Max(w0, 0);
        h1 = Math.Min(h1, g.InHeight);
        w1 = Math.Min(w1, g.InWidth);
        int divisor = countIncludePad ? paddedArea : (h1 - h0) * (w1 - w0);
        return new Window(h0, h1, w0, w1, divisor);
    }

    private readonly record struct Window(int H0, int H1, int W0, int W1, int Divisor);

    private static long InputLength(in Pool2dGeometry g) => (long)g.Batch * g.Channels * g.InHeight * g.InWidth;

    private static long OutputLength(in Pool2dGeometry g) => (long)g.Batch * g.Channels * g.OutHeight * g.OutWidth;

    private static void CheckGlobal(int batch, int channels, int spatial)
    {
        KernelGuard.RequireNonNegative(batch, nameof(batch));
        KernelGuard.RequireNonNegative(channels, nameof(channels));
        KernelGuard.RequirePositive(spatial, nameof(spatial));
    }

    private static void ValidateAverage(in Pool2dGeometry g)
    {
        Validate(g);
        if (g.DilationH != 1 || g.DilationW != 1)
            throw new ArgumentException("Average pooling does not support dilation.", nameof(g));
    }

    private static void Validate(in Pool2dGeometry g)
    {
        KernelGuard.RequireNonNegative(g.Batch, nameof(g.Batch));
        KernelGuard.RequireNonNegative(g.Channels, nameof(g.Channels));
        KernelGuard.RequirePositive(g.InHeight, nameof(g.InHeight));
        KernelGuard.RequirePositive(g.InWidth, nameof(g.InWidth));
        KernelGuard.RequirePositive(g.KernelHeight, nameof(g.KernelHeight));
        KernelGuard.RequirePositive(g.KernelWidth, nameof(g.KernelWidth));
        KernelGuard.RequirePositive(g.StrideH, nameof(g.StrideH));
        KernelGuard.RequirePositive(g.StrideW, nameof(g.StrideW));
        KernelGuard.RequirePositive(g.DilationH, nameof(g.DilationH));
        KernelGuard.RequirePositive(g.DilationW, nameof(g.DilationW));
        KernelGuard.RequireNonNegative(g.PadTop, nameof(g.PadTop));
        KernelGuard.RequireNonNegative(g.PadLeft, nameof(g.PadLeft));
        KernelGuard.RequireNonNegative(g.PadBottom, nameof(g.PadBottom));
        KernelGuard.RequireNonNegative(g.PadRight, nameof(g.PadRight));
        if (g.OutHeight <= 0 || g.OutWidth <= 0)
            throw new ArgumentException($"Window does not fit the padded input (output {g.OutHeight}x{g.OutWidth}).", nameof(g));
    }
}
