namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// 3-D convolution over [N,C,D,H,W] with weights [O,C/groups,kd,kh,kw], computed directly (one output
/// element per inner loop, no im2col): 3-D layers in the models we audit are small. Every output element
/// is summed by one thread in a fixed order, so results do not depend on the core count.
/// </summary>
internal static unsafe class Conv3d
{
    /// <summary>y = conv(x, w) + b (b may be empty).</summary>
    public static void Forward(in Conv3dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y)
    {
        g.Validate();
        Check(g, x.Length, w.Length, y.Length);
        if (!b.IsEmpty) KernelGuard.RequireLength(b.Length, g.OutChannels, nameof(b));
        Conv3dGeometry geometry = g;
        bool hasBias = !b.IsEmpty;
        int od = g.OutD, oh = g.OutH, ow = g.OutW, cg = g.InChannels / g.Groups, og = g.OutChannels / g.Groups;
        var win = g.Window;
        fixed (float* px = x, pw = w, pb = b, py = y)
        {
            float* xs = px, ws = pw, bs = pb, ys = py;
            KernelParallel.For(g.Batch * g.OutChannels, (long)od * oh * ow * cg * win.KernelD * win.KernelH * win.KernelW, (first, end) =>
            {
                for (int plane = first; plane < end; plane++)
                {
                    int n = plane / geometry.OutChannels, o = plane % geometry.OutChannels, group = o / og;
                    float* dst = ys + (long)plane * od * oh * ow;
                    for (int zd = 0; zd < od; zd++)
                    for (int zh = 0; zh < oh; zh++)
                    for (int zw = 0; zw < ow; zw++)
                    {
                        float sum = hasBias ? bs[o] : 0f;
                        for (int c = 0; c < cg; c++)
                        {
                            float* src = xs + ((long)n * geometry.InChannels + group * cg + c) * geometry.InD * geometry.InH * geometry.InW;
                            float* ker = ws + ((long)o * cg + c) * win.KernelD * win.KernelH * win.KernelW;
                            sum += Dot(geometry, src, ker, zd, zh, zw);
                        }
                        dst[((long)zd * oh + zh) * ow + zw] = sum;
                    }
                }
            });
        }
    }

    // One output position's window of one input channel against one kernel slice.
    private static float Dot(in Conv3dGeometry g, float* src, float* ker, int zd, int zh, int zw)
    {
        var win = g.Window;
        float sum = 0;
        for (int kd = 0; kd < win.KernelD; kd++)
        {
            int id = zd * win.StrideD - win.PadD + kd * win.DilationD;
            if ((uint)id >= (uint)g.InD) continue;
            for (int kh = 0; kh < win.KernelH; kh++)
            {
                int ih = zh * win.StrideH - win.PadH + kh * win.DilationH;
                if ((uint)ih >= (uint)g.InH) continue;
                for (int kw = 0; kw < win.KernelW; kw++)
                {
                    int iw = zw * win.StrideW - win.PadW + kw * win.DilationW;
                    if ((uint)iw >= (uint)g.InW) continue;
                    sum += src[((long)id * g.InH + ih) * g.InW + iw] * ker[(kd * win.KernelH + kh) * win.KernelW + kw];
                }
            }
        }
        return sum;
    }

    /// <summary>dx = the gradient of the convolution with respect to its input (overwrites dx).</summary>
    public static void BackwardData(in Conv3dGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx)
    {
        g.Validate();
        Check(g, dx.Length, w.Length, dy.Length);
        Conv3dGeometry geometry = g;
        int od = g.OutD, oh = g.OutH, ow = g.OutW, cg = g.InChannels / g.Groups, og = g.OutChannels / g.Groups;
        var win = g.Window;
        fixed (float* pdy = dy, pw = w, pdx = dx)
        {
            float* dys = pdy, ws = pw, dxs = pdx;
            // Each thread owns whole input planes [n, c] and gathers every (output, kernel) pair that read them.
            KernelParallel.For(g.Batch * g.InChannels, (long)g.InD * g.InH * g.InW * og * win.KernelD * win.KernelH * win.KernelW, (first, end) =>
            {
                for (int plane = first; plane < end; plane++)
                {
                    int n = plane / geometry.InChannels, c = plane % geometry.InChannels, group = c / cg, ci = c % cg;
                    float* dst = dxs + (long)plane * geometry.InD * geometry.InH * geometry.InW;
                    for (int id = 0; id < geometry.InD; id++)
                    for (int ih = 0; ih < geometry.InH; ih++)
                    for (int iw = 0; iw < geometry.InW; iw++)
                    {
                        float sum = 0;
                        for (int kd = 0; kd < win.KernelD; kd++)
                        {
                            int zd = Source(id, kd, win.StrideD, win.PadD, win.DilationD, od);
                            if (zd < 0) continue;
                            for (int kh = 0; kh < win.KernelH; kh++)
                            {
                                int zh = Source(ih, kh, win.StrideH, win.PadH, win.DilationH, oh);
                                if (zh < 0) continue;
                                for (int kw = 0; kw < win.KernelW; kw++)
                                {
                                    int zw = Source(iw, kw, win.StrideW, win.PadW, win.DilationW, ow);
                                    if (zw < 0) continue;
                                    for (int oi = 0; oi < og; oi++)
                                    {
                                        int o = group * og + oi;
                                        sum += dys[(((long)n * geometry.OutChannels + o) * od + zd) * oh * ow + (long)zh * ow + zw]
                                            * ws[((((long)o * cg + ci) * win.KernelD + kd) * win.KernelH + kh) * win.KernelW + kw];
                                    }
                                }
                            }
                        }
                        dst[((long)id * geometry.InH + ih) * geometry.InW + iw] = sum;
                    }
                }
            });
        }
    }

    // The output position whose window puts kernel tap k on input position i, or -1.
    private static int Source(int i, int k, int stride, int pad, int dilation, int outSize)
    {
        int t = i + pad - k * dilation;
        if (t < 0 || t % stride != 0) return -1;
        t /= stride;
        return t < outSize ? t : -1;
    }

    /// <summary>dw (and db when not empty) = the gradients with respect to the weights and bias (overwritten).</summary>
    public static void BackwardFilter(in Conv3dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> db)
    {
        g.Validate();
        Check(g, x.Length, dw.Length, dy.Length);
        if (!db.IsEmpty) KernelGuard.RequireLength(db.Length, g.OutChannels, nameof(db));
        Conv3dGeometry geometry = g;
        bool hasBias = !db.IsEmpty;
        int od = g.OutD, oh = g.OutH, ow = g.OutW, cg = g.InChannels / g.Groups, og = g.OutChannels / g.Groups;
        var win = g.Window;
        int taps = win.KernelD * win.KernelH * win.KernelW;
        fixed (float* px = x, pdy = dy, pdw = dw, pdb = db)
        {
            float* xs = px, dys = pdy, dws = pdw, dbs = pdb;
            // Each thread owns whole output channels of dw (and db).
            KernelParallel.For(g.OutChannels, (long)g.Batch * od * oh * ow * cg * taps, (first, end) =>
            {
                for (int o = first; o < end; o++)
                {
                    int group = o / og;
                    float bias = 0;
                    for (int c = 0; c < cg; c++)
                    for (int kd = 0; kd < win.KernelD; kd++)
                    for (int kh = 0; kh < win.KernelH; kh++)
                    for (int kw = 0; kw < win.KernelW; kw++)
                    {
                        float sum = 0;
                        for (int n = 0; n < geometry.Batch; n++)
                        {
                            float* grad = dys + ((long)n * geometry.OutChannels + o) * od * oh * ow;
                            float* src = xs + ((long)n * geometry.InChannels + group * cg + c) * geometry.InD * geometry.InH * geometry.InW;
                            for (int zd = 0; zd < od; zd++)
                            {
                                int id = zd * win.StrideD - win.PadD + kd * win.DilationD;
                                if ((uint)id >= (uint)geometry.InD) continue;
                                for (int zh = 0; zh < oh; zh++)
                                {
                                    int ih = zh * win.StrideH - win.PadH + kh * win.DilationH;
                                    if ((uint)ih >= (uint)geometry.InH) continue;
                                    for (int zw = 0; zw < ow; zw++)
                                    {
                                        int iw = zw * win.StrideW - win.PadW + kw * win.DilationW;
                                        if ((uint)iw >= (uint)geometry.InW) continue;
                                        sum += grad[((long)zd * oh + zh) * ow + zw] * src[((long)id * geometry.InH + ih) * geometry.InW + iw];
                                    }
                                }
                            }
                        }
                        dws[(((long)o * cg + c) * win.KernelD + kd) * win.KernelH * win.KernelW + kh * win.KernelW + kw] = sum;
                    }
                    if (!hasBias) continue;
                    for (int n = 0; n < geometry.Batch; n++)
                    {
                        float* grad = dys + ((long)n * geometry.OutChannels + o) * od * oh * ow;
                        for (long i = 0; i < (long)od * oh * ow; i++) bias += grad[i];
                    }
                    dbs[o] = bias;
                }
            });
        }
    }

    private static void Check(in Conv3dGeometry g, int xLength, int wLength, int yLength)
    {
        KernelGuard.RequireLength(xLength, (long)g.Batch * g.InChannels * g.InD * g.InH * g.InW, "x");
        KernelGuard.RequireLength(wLength, (long)g.OutChannels * (g.InChannels / g.Groups) * g.Window.KernelD * g.Window.KernelH * g.Window.KernelW, "w");
        KernelGuard.RequireLength(yLength, (long)g.Batch * g.OutChannels * g.OutD * g.OutH * g.OutW, "y");
    }
}
