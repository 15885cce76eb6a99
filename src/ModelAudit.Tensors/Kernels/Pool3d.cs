namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// 3-D max and average pooling over [N,C,D,H,W] (planes = N·C, each pooled by one thread). Max sends
/// the gradient to the first maximum of each window (PyTorch's choice); average divides by the window's
/// element count (with or without the padding).
/// </summary>
internal static unsafe class Pool3d
{
    /// <summary>y = the maximum of each window.</summary>
    public static void MaxForward(in Pool3dGeometry g, ReadOnlySpan<float> x, Span<float> y)
        => Run(g, x, y, average: false, countIncludePad: false);

    /// <summary>y = the mean of each window.</summary>
    public static void AverageForward(in Pool3dGeometry g, bool countIncludePad, ReadOnlySpan<float> x, Span<float> y)
        => Run(g, x, y, average: true, countIncludePad);

    /// <summary>dx = dy routed to the first maximum of each window (overwrites dx).</summary>
    public static void MaxBackward(in Pool3dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
        => Back(g, x, dy, dx, average: false, countIncludePad: false);

    /// <summary>dx = each dy spread evenly (by the forward divisor) over its window (overwrites dx).</summary>
    public static void AverageBackward(in Pool3dGeometry g, bool countIncludePad, ReadOnlySpan<float> dy, Span<float> dx)
        => Back(g, ReadOnlySpan<float>.Empty, dy, dx, average: true, countIncludePad);

    private readonly record struct Box(int D0, int D1, int H0, int H1, int W0, int W1, int Divisor);

    private static Box Window(in Pool3dGeometry g, bool countIncludePad, int zd, int zh, int zw)
    {
        var w = g.Window;
        // Average windows stop at the explicit end padding (the ceil-mode overhang never counts); max
        // windows use the dilated taps, clipped to the input.
        int d0 = zd * w.StrideD - w.PadD, h0 = zh * w.StrideH - w.PadH, w0 = zw * w.StrideW - w.PadW;
        int d1 = Math.Min(d0 + (w.KernelD - 1) * w.DilationD + 1, g.InD + w.PadDEnd);
        int h1 = Math.Min(h0 + (w.KernelH - 1) * w.DilationH + 1, g.InH + w.PadHEnd);
        int w1 = Math.Min(w0 + (w.KernelW - 1) * w.DilationW + 1, g.InW + w.PadWEnd);
        int padded = (d1 - d0) * (h1 - h0) * (w1 - w0);
        int cd0 = Math.Max(d0, 0), ch0 = Math.Max(h0, 0), cw0 = Math.Max(w0, 0);
        int cd1 = Math.Min(d1, g.InD), ch1 = Math.Min(h1, g.InH), cw1 = Math.Min(w1, g.InW);
        int inside = (cd1 - cd0) * (ch1 - ch0) * (cw1 - cw0);
        // Dilated taps start at the unclipped origin; the loops below step from there.
        return new Box(d0, cd1, h0, ch1, w0, cw1, countIncludePad ? padded : inside);
    }

    private static void Run(in Pool3dGeometry g, ReadOnlySpan<float> x, Span<float> y, bool average, bool countIncludePad)
    {
        Validate(g, average);
        KernelGuard.RequireLength(x.Length, InputLength(g), nameof(x));
        KernelGuard.RequireLength(y.Length, OutputLength(g), nameof(y));
        Pool3dGeometry geometry = g;
        long inPlane = (long)g.InD * g.InH * g.InW, outPlane = (long)g.OutD * g.OutH * g.OutW;
        var win = g.Window;
        fixed (float* px = x, py = y)
        {
            float* xs = px, ys = py;
            KernelParallel.For(g.Batch * g.Channels, outPlane * win.KernelD * win.KernelH * win.KernelW, (first, end) =>
            {
                for (int plane = first; plane < end; plane++)
                {
                    float* src = xs + plane * inPlane;
                    float* dst = ys + plane * outPlane;
                    long o = 0;
                    for (int zd = 0; zd < geometry.OutD; zd++)
                    for (int zh = 0; zh < geometry.OutH; zh++)
                    for (int zw = 0; zw < geometry.OutW; zw++)
                    {
                        var box = Window(geometry, countIncludePad, zd, zh, zw);
                        float acc = average ? 0f : float.NegativeInfinity;
                        foreach (long i in Taps(geometry, box))
                            acc = average ? acc + src[i] : (src[i] > acc || float.IsNaN(src[i]) ? src[i] : acc);
                        dst[o++] = average ? acc / box.Divisor : acc;
                    }
                }
            });
        }
    }

    private static void Back(in Pool3dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, bool average, bool countIncludePad)
    {
        Validate(g, average);
        if (!average) KernelGuard.RequireLength(x.Length, InputLength(g), nameof(x));
        KernelGuard.RequireLength(dy.Length, OutputLength(g), nameof(dy));
        KernelGuard.RequireLength(dx.Length, InputLength(g), nameof(dx));
        Pool3dGeometry geometry = g;
        long inPlane = (long)g.InD * g.InH * g.InW, outPlane = (long)g.OutD * g.OutH * g.OutW;
        var win = g.Window;
        fixed (float* px = x, pdy = dy, pdx = dx)
        {
            float* xs = px, dys = pdy, dxs = pdx;
            KernelParallel.For(g.Batch * g.Channels, outPlane * win.KernelD * win.KernelH * win.KernelW, (first, end) =>
            {
                for (int plane = first; plane < end; plane++)
                {
                    float* src = xs + plane * inPlane;
                    float* grad = dys + plane * outPlane;
                    float* dst = dxs + plane * inPlane;
                    new Span<float>(dst, (int)inPlane).Clear();
                    long o = 0;
                    for (int zd = 0; zd < geometry.OutD; zd++)
                    for (int zh = 0; zh < geometry.OutH; zh++)
                    for (int zw = 0; zw < geometry.OutW; zw++)
                    {
                        var box = Window(geometry, countIncludePad, zd, zh, zw);
                        float gv = grad[o++];
                        if (average)
                        {
                            foreach (long i in Taps(geometry, box)) dst[i] += gv / box.Divisor;
                            continue;
                        }
                        long best = -1;
                        float max = float.NegativeInfinity;
                        foreach (long i in Taps(geometry, box))
                        {
                            if (best < 0 || src[i] > max || (float.IsNaN(src[i]) && !float.IsNaN(max)))
                            {
                                best = i;
                                max = src[i];
                            }
                        }
                        if (best >= 0) dst[best] += gv;
                    }
                }
            });
        }
    }

    // Plane offsets of a window's taps (dilated, inside the input), in row-major order.
    private static IEnumerable<long> Taps(Pool3dGeometry g, Box box)
    {
        var w = g.Window;
        for (long d = FirstInside(box.D0, w.DilationD); d < box.D1; d += w.DilationD)
            for (long h = FirstInside(box.H0, w.DilationH); h < box.H1; h += w.DilationH)
                for (long x = FirstInside(box.W0, w.DilationW); x < box.W1; x += w.DilationW)
                    yield return (d * g.InH + h) * g.InW + x;
    }

    // The first tap origin + k·dilation that is not negative (skipping padding taps without visiting them).
    private static long FirstInside(int origin, int dilation)
        => origin >= 0 ? origin : origin + ((-(long)origin + dilation - 1) / dilation) * dilation;

    private static void Validate(in Pool3dGeometry g, bool average)
    {
        g.Window.Validate();
        foreach (var v in new[] { g.Batch, g.Channels, g.InD, g.InH, g.InW, g.OutD, g.OutH, g.OutW })
            KernelGuard.RequirePositive(v, "sizes");
        if (average && (g.Window.DilationD != 1 || g.Window.DilationH != 1 || g.Window.DilationW != 1))
            throw new ArgumentException("Average pooling has no dilation.");
    }

    private static long InputLength(in Pool3dGeometry g) => (long)g.Batch * g.Channels * g.InD * g.InH * g.InW;

    private static long OutputLength(in Pool3dGeometry g) => (long)g.Batch * g.Channels * g.OutD * g.OutH * g.OutW;
}
