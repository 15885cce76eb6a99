using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ModelAudit.Tensors.Kernels.Elementwise;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Direct depthwise convolution (groups == C == O, one KH x KW filter per channel), vectorised over output
/// columns. Each input plane is first copied into a zero-padded, column-phased scratch plane
/// (<see cref="DepthwisePlane"/>): phase p of a stride-s plane holds padded columns p, p + s, p + 2s, ..., so every
/// filter tap reads (forward, filter gradient) or writes (input gradient) a contiguous run of columns with no
/// bounds tests, for any stride, padding or dilation. Rows are rounded up to whole vectors; the extra lanes read
/// zeros and are never stored. Forward and input gradient run in parallel over (sample, channel) planes; the
/// filter gradient over channels, summing samples in ascending order. Each output element is computed by one
/// thread in a fixed order, so results do not depend on the thread count. Lengths are checked by <see cref="Conv2d"/>.
/// Forward windows of 16 taps or more (5x5) run with channels in vector lanes instead (<see cref="DepthwiseChannelLanes"/>),
/// the same sums in the same order.
/// </summary>
internal static unsafe class DepthwiseConv2d
{
    internal static readonly int Lanes = Vector256<float>.Count;

    /// <summary>Lanes of the forward pass's 512-bit vectors.</summary>
    private const int WideLanes = 16;

    /// <summary>
    /// Whether the forward pass uses 512-bit vectors: with AVX-512, when rows rounded up to 16 columns are no longer
    /// than rounded up to 8 (14, 28 or 112 columns, not 7 or 56: those would compute idle lanes). Each output is the
    /// same sum either way, so this changes speed only (10-15% on mobilenet_v3's 14x14 maps, where the taps' multiply-adds
    /// dominate; little where reading the input does).
    /// </summary>
    private static bool UsesWideVectors(in Conv2dGeometry g)
        => Avx512F.IsSupported && RoundUp(g.OutWidth, WideLanes) == RoundUp(g.OutWidth, Lanes) && DepthwisePlane.Fits(g, WideLanes);

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>
    /// y = act(depthwise conv(x, w) + bias + residual) (bias and residual may be empty): the residual and activation
    /// applied to each plane right after it is computed, while it is in cache.
    /// </summary>
    public static void Forward(in Conv2dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> residual, in FusedActivation activation, Span<float> y)
    {
        if (DepthwiseChannelLanes.Applies(g))
        {
            fixed (float* px = x, pw = w, pb = bias, pr = residual, py = y)
                DepthwiseChannelLanes.Forward(g, px, pw, bias.IsEmpty ? null : pb, residual.IsEmpty ? null : pr, activation, py);
            return;
        }
        ForwardByPlanes(g, x, w, bias, residual, activation, y);
    }

    /// <summary>
    /// <see cref="Forward"/> one plane at a time, vectors along rows: the path of windows under 16 taps, of machines without
    /// AVX-512 and of bands too wide for <see cref="DepthwiseChannelLanes"/>, and that kernel's reference in tests (the same
    /// sums in the same order).
    /// </summary>
    internal static void ForwardByPlanes(in Conv2dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> residual, in FusedActivation activation, Span<float> y)
    {
        bool wide = UsesWideVectors(g);
        var plane = new DepthwisePlane(g, wide ? WideLanes : Lanes);
        int channels = g.InChannels, kernelArea = g.KernelHeight * g.KernelWidth;
        long inPlane = (long)g.InHeight * g.InWidth, outPlane = (long)g.OutHeight * g.OutWidth;
        bool hasBias = !bias.IsEmpty, tail = !residual.IsEmpty || activation.IsActive;
        FusedActivation act = activation;
        fixed (float* px = x, pw = w, pb = bias, pr = residual, py = y)
        {
            float* xs = px, ws = pw, bs = pb, rs = residual.IsEmpty ? null : pr, ys = py;
            KernelParallel.For(g.Batch * channels, outPlane * kernelArea, (first, end) =>
            {
                float[] scratch = ArrayPool<float>.Shared.Rent(checked((int)plane.Length));
                int* taps = stackalloc int[kernelArea];
                plane.TapOffsets(taps);
                try
                {
                    fixed (float* padded = scratch)
                    {
                        for (int p = first; p < end; p++)
                        {
                            int c = p % channels;
                            // The padding is the same for every plane: written once per worker.
                            if (p == first) plane.Lower(xs + p * inPlane, padded);
                            else plane.LowerInterior(xs + p * inPlane, padded);
                            float* yPlane = ys + p * outPlane;
                            if (wide) ForwardPlaneWide(plane, padded, taps, ws + (long)c * kernelArea, hasBias ? bs[c] : 0f, yPlane);
                            else ForwardPlane(plane, padded, taps, ws + (long)c * kernelArea, hasBias ? bs[c] : 0f, yPlane);
                            if (tail) ResidualActivation.Apply(yPlane, rs == null ? null : rs + p * outPlane, act, yPlane, checked((int)outPlane));
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

    /// <summary>dx = depthwise conv^T(dy, w) (overwrites dx).</summary>
    public static void BackwardData(in Conv2dGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx)
    {
        var plane = new DepthwisePlane(g, Lanes);
        int channels = g.InChannels, kernelArea = g.KernelHeight * g.KernelWidth;
        long inPlane = (long)g.InHeight * g.InWidth, outPlane = (long)g.OutHeight * g.OutWidth;
        fixed (float* pdy = dy, pw = w, pdx = dx)
        {
            float* dys = pdy, ws = pw, dxs = pdx;
            KernelParallel.For(g.Batch * channels, outPlane * kernelArea, (first, end) =>
            {
                float[] scratch = ArrayPool<float>.Shared.Rent(checked((int)(plane.Length + plane.GradientLength)));
                int* taps = stackalloc int[kernelArea];
                plane.TapOffsets(taps);
                try
                {
                    fixed (float* padded = scratch)
                    {
                        float* gradient = padded + plane.Length;
                        for (int p = first; p < end; p++)
                        {
                            int c = p % channels;
                            plane.PadGradient(dys + p * outPlane, gradient);
                            new Span<float>(padded, checked((int)plane.Length)).Clear();
                            BackwardDataPlane(plane, gradient, taps, ws + (long)c * kernelArea, padded);
                            plane.Raise(padded, dxs + p * inPlane);
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

    /// <summary>dw[c] = sum over samples of the correlation of x[n, c] with dy[n, c] (overwrites dw).</summary>
    public static void BackwardFilter(in Conv2dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw)
    {
        var plane = new DepthwisePlane(g, Lanes);
        int channels = g.InChannels, kernelArea = g.KernelHeight * g.KernelWidth, batch = g.Batch;
        long inPlane = (long)g.InHeight * g.InWidth, outPlane = (long)g.OutHeight * g.OutWidth;
        fixed (float* px = x, pdy = dy, pdw = dw)
        {
            float* xs = px, dys = pdy, dws = pdw;
            KernelParallel.For(channels, batch * outPlane * kernelArea, (first, end) =>
            {
                float[] scratch = ArrayPool<float>.Shared.Rent(checked((int)(plane.Length + plane.GradientLength)));
                int* taps = stackalloc int[kernelArea];
                plane.TapOffsets(taps);
                try
                {
                    fixed (float* padded = scratch)
                    {
                        float* gradient = padded + plane.Length;
                        // The padding is the same for every plane: written once, then only the interior is copied. Output
                        // rows already a whole number of vectors long are read in place, not copied.
                        bool padRows = plane.RoundedWidth != plane.OutWidth;
                        bool lowered = false;
                        for (int c = first; c < end; c++)
                        {
                            float* dst = dws + (long)c * kernelArea;
                            new Span<float>(dst, kernelArea).Clear();
                            for (int n = 0; n < batch; n++)
                            {
                                long p = (long)n * channels + c;
                                if (lowered) plane.LowerInterior(xs + p * inPlane, padded);
                                else plane.Lower(xs + p * inPlane, padded);
                                lowered = true;
                                float* rows = dys + p * outPlane;
                                if (padRows)
                                {
                                    plane.PadGradient(rows, gradient);
                                    rows = gradient;
                                }
                                FilterPlane(plane, padded, rows, taps, dst);
                            }
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

    /// <summary>
    /// One output plane: blocks of four output rows by two vectors of columns, eight independent sums that keep the
    /// multiply-add units busy (a lone sum waits on its previous multiply-add at every tap; rows may be computed twice,
    /// never a different way). Every element still sums
    /// its taps in order, starting from the bias. A row's last vector, when partial, is stored under a mask.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ForwardPlane(in DepthwisePlane plane, float* padded, int* taps, float* w, float bias, float* y)
    {
        int outH = plane.OutHeight, outW = plane.OutWidth, rounded = plane.RoundedWidth, rowStep = plane.RowStep, kernelArea = plane.KernelArea;
        Vector256<float> biasV = Vector256.Create(bias);
        var tail = new RowTail(outW);
        if (rounded == Lanes && outH is >= 5 and <= 8)
        {
            AllRowsOneVector(padded, rowStep, taps, w, kernelArea, biasV, y, outH, outW, tail);
            return;
        }
        // Blocks of four rows; when the height is not a multiple of four the last block overlaps the one before it (rows
        // computed twice come out the same). Maps under four rows go one row at a time.
        int blocked = outH >= 4 ? outH : 0;
        for (int next = 0; next < blocked; next += 4)
        {
            int oh = Math.Min(next, outH - 4);
            float* source = padded + (long)oh * rowStep;
            float* r0 = y + (long)oh * outW, r1 = r0 + outW, r2 = r1 + outW, r3 = r2 + outW;
            long s1 = rowStep, s2 = 2L * rowStep, s3 = 3L * rowStep;
            int ow = 0;
            for (; ow + 2 * Lanes <= rounded; ow += 2 * Lanes)
            {
                Vector256<float> a00 = biasV, a01 = biasV, a10 = biasV, a11 = biasV, a20 = biasV, a21 = biasV, a30 = biasV, a31 = biasV;
                for (int t = 0; t < kernelArea; t++)
                {
                    float* s = source + taps[t] + ow;
                    Vector256<float> wv = Vector256.Create(w[t]);
                    a00 = Vector256.FusedMultiplyAdd(Vector256.Load(s), wv, a00);
                    a01 = Vector256.FusedMultiplyAdd(Vector256.Load(s + Lanes), wv, a01);
                    a10 = Vector256.FusedMultiplyAdd(Vector256.Load(s + s1), wv, a10);
                    a11 = Vector256.FusedMultiplyAdd(Vector256.Load(s + s1 + Lanes), wv, a11);
                    a20 = Vector256.FusedMultiplyAdd(Vector256.Load(s + s2), wv, a20);
                    a21 = Vector256.FusedMultiplyAdd(Vector256.Load(s + s2 + Lanes), wv, a21);
                    a30 = Vector256.FusedMultiplyAdd(Vector256.Load(s + s3), wv, a30);
                    a31 = Vector256.FusedMultiplyAdd(Vector256.Load(s + s3 + Lanes), wv, a31);
                }
                tail.Store(a00, r0, ow);
                tail.Store(a01, r0, ow + Lanes);
                tail.Store(a10, r1, ow);
                tail.Store(a11, r1, ow + Lanes);
                tail.Store(a20, r2, ow);
                tail.Store(a21, r2, ow + Lanes);
                tail.Store(a30, r3, ow);
                tail.Store(a31, r3, ow + Lanes);
            }
            for (; ow < rounded; ow += Lanes)
            {
                Vector256<float> a0 = biasV, a1 = biasV, a2 = biasV, a3 = biasV;
                for (int t = 0; t < kernelArea; t++)
                {
                    float* s = source + taps[t] + ow;
                    Vector256<float> wv = Vector256.Create(w[t]);
                    a0 = Vector256.FusedMultiplyAdd(Vector256.Load(s), wv, a0);
                    a1 = Vector256.FusedMultiplyAdd(Vector256.Load(s + s1), wv, a1);
                    a2 = Vector256.FusedMultiplyAdd(Vector256.Load(s + s2), wv, a2);
                    a3 = Vector256.FusedMultiplyAdd(Vector256.Load(s + s3), wv, a3);
                }
                tail.Store(a0, r0, ow);
                tail.Store(a1, r1, ow);
                tail.Store(a2, r2, ow);
                tail.Store(a3, r3, ow);
            }
        }
        for (int oh = blocked; oh < outH; oh++)
        {
            float* source = padded + (long)oh * rowStep;
            float* row = y + (long)oh * outW;
            int ow = 0;
            for (; ow + 2 * Lanes <= rounded; ow += 2 * Lanes)
            {
                Vector256<float> a0 = biasV, a1 = biasV;
                for (int t = 0; t < kernelArea; t++)
                {
                    float* s = source + taps[t] + ow;
                    Vector256<float> wv = Vector256.Create(w[t]);
                    a0 = Vector256.FusedMultiplyAdd(Vector256.Load(s), wv, a0);
                    a1 = Vector256.FusedMultiplyAdd(Vector256.Load(s + Lanes), wv, a1);
                }
                tail.Store(a0, row, ow);
                tail.Store(a1, row, ow + Lanes);
            }
            for (; ow < rounded; ow += Lanes)
            {
                Vector256<float> a0 = biasV;
                for (int t = 0; t < kernelArea; t++)
                    a0 = Vector256.FusedMultiplyAdd(Vector256.Load(source + taps[t] + ow), Vector256.Create(w[t]), a0);
                tail.Store(a0, row, ow);
            }
        }
    }

    /// <summary>
    /// A plane of 5 to 8 rows of at most one vector (mobilenet's 7x7 maps): every row at once, up to eight independent
    /// sums per tap instead of two overlapping blocks of four (8 rows computed for 7, half the multiply-add units idle on
    /// four chains); rows past the last alias it and store the same values again. Each element sums its taps in order from the bias.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AllRowsOneVector(float* padded, int rowStep, int* taps, float* w, int kernelArea, Vector256<float> biasV,
        float* y, int outH, int outW, in RowTail tail)
    {
        int last = outH - 1;
        long s1 = rowStep, s2 = 2L * rowStep, s3 = 3L * rowStep, s4 = 4L * rowStep;
        long s5 = (long)Math.Min(5, last) * rowStep, s6 = (long)Math.Min(6, last) * rowStep, s7 = (long)Math.Min(7, last) * rowStep;
        Vector256<float> a0 = biasV, a1 = biasV, a2 = biasV, a3 = biasV, a4 = biasV, a5 = biasV, a6 = biasV, a7 = biasV;
        for (int t = 0; t < kernelArea; t++)
        {
            float* s = padded + taps[t];
            Vector256<float> wv = Vector256.Create(w[t]);
            a0 = Vector256.FusedMultiplyAdd(Vector256.Load(s), wv, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.Load(s + s1), wv, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.Load(s + s2), wv, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.Load(s + s3), wv, a3);
            a4 = Vector256.FusedMultiplyAdd(Vector256.Load(s + s4), wv, a4);
            a5 = Vector256.FusedMultiplyAdd(Vector256.Load(s + s5), wv, a5);
            a6 = Vector256.FusedMultiplyAdd(Vector256.Load(s + s6), wv, a6);
            a7 = Vector256.FusedMultiplyAdd(Vector256.Load(s + s7), wv, a7);
        }
        tail.Store(a0, y, 0);
        tail.Store(a1, y + outW, 0);
        tail.Store(a2, y + 2 * outW, 0);
        tail.Store(a3, y + 3 * outW, 0);
        tail.Store(a4, y + 4 * outW, 0);
        tail.Store(a5, y + Math.Min(5, last) * outW, 0);
        tail.Store(a6, y + Math.Min(6, last) * outW, 0);
        tail.Store(a7, y + Math.Min(7, last) * outW, 0);
    }

    /// <summary>
    /// <see cref="ForwardPlane"/> with 512-bit vectors: blocks of four rows by two vectors, or, for the last single vector
    /// of columns, eight (or seven, where fewer rows result) rows by one vector (seven or eight independent sums; the last block of a column overlaps
    /// the one before it). Every element sums its taps in order from the bias, as with 256-bit vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ForwardPlaneWide(in DepthwisePlane plane, float* padded, int* taps, float* w, float bias, float* y)
    {
        int outH = plane.OutHeight, outW = plane.OutWidth, rounded = plane.RoundedWidth, rowStep = plane.RowStep, kernelArea = plane.KernelArea;
        var tail = new WideRowTail(outW);
        Vector512<float> biasV = Vector512.Create(bias);
        int ow = 0;
        for (; ow + 2 * WideLanes <= rounded; ow += 2 * WideLanes)
        {
            if (outH < 4)
            {
                for (int oh = 0; oh < outH; oh++)
                {
                    WideRows(padded + (long)oh * rowStep, rowStep, taps, w, kernelArea, biasV, y + (long)oh * outW, outW, tail, ow, rows: 1);
                    WideRows(padded + (long)oh * rowStep, rowStep, taps, w, kernelArea, biasV, y + (long)oh * outW, outW, tail, ow + WideLanes, rows: 1);
                }
                continue;
            }
            for (int next = 0; next < outH; next += 4)
            {
                int oh = Math.Min(next, outH - 4);
                WideFourRowsTwoVectors(padded + (long)oh * rowStep, rowStep, taps, w, kernelArea, biasV, y + (long)oh * outW, outW, tail, ow);
            }
        }
        if (ow < rounded)
        {
            // Blocks of eight rows, or of seven where that computes fewer rows (14x14 maps: 14 rows, not 16).
            int rows = outH >= 8 ? (RoundUp(outH, 7) < RoundUp(outH, 8) ? 7 : 8) : outH >= 4 ? 4 : 1;
            for (int next = 0; next < outH; next += rows)
            {
                int oh = Math.Min(next, outH - rows);
                WideRows(padded + (long)oh * rowStep, rowStep, taps, w, kernelArea, biasV, y + (long)oh * outW, outW, tail, ow, rows);
            }
        }
    }

    /// <summary>Four rows by two 512-bit vectors of columns from <paramref name="ow"/>: eight sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WideFourRowsTwoVectors(float* source, long rowStep, int* taps, float* w, int kernelArea, Vector512<float> biasV,
        float* y, int outW, in WideRowTail tail, int ow)
    {
        long s1 = rowStep, s2 = 2 * rowStep, s3 = 3 * rowStep;
        Vector512<float> a00 = biasV, a01 = biasV, a10 = biasV, a11 = biasV, a20 = biasV, a21 = biasV, a30 = biasV, a31 = biasV;
        for (int t = 0; t < kernelArea; t++)
        {
            float* s = source + taps[t] + ow;
            Vector512<float> wv = Vector512.Create(w[t]);
            a00 = Vector512.FusedMultiplyAdd(Vector512.Load(s), wv, a00);
            a01 = Vector512.FusedMultiplyAdd(Vector512.Load(s + WideLanes), wv, a01);
            a10 = Vector512.FusedMultiplyAdd(Vector512.Load(s + s1), wv, a10);
            a11 = Vector512.FusedMultiplyAdd(Vector512.Load(s + s1 + WideLanes), wv, a11);
            a20 = Vector512.FusedMultiplyAdd(Vector512.Load(s + s2), wv, a20);
            a21 = Vector512.FusedMultiplyAdd(Vector512.Load(s + s2 + WideLanes), wv, a21);
            a30 = Vector512.FusedMultiplyAdd(Vector512.Load(s + s3), wv, a30);
            a31 = Vector512.FusedMultiplyAdd(Vector512.Load(s + s3 + WideLanes), wv, a31);
        }
        tail.Store(a00, y, ow);
        tail.Store(a01, y, ow + WideLanes);
        tail.Store(a10, y + outW, ow);
        tail.Store(a11, y + outW, ow + WideLanes);
        tail.Store(a20, y + 2 * outW, ow);
        tail.Store(a21, y + 2 * outW, ow + WideLanes);
        tail.Store(a30, y + 3 * outW, ow);
        tail.Store(a31, y + 3 * outW, ow + WideLanes);
    }

    /// <summary>Eight, four or one row(s) by one 512-bit vector of columns from <paramref name="ow"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WideRows(float* source, long rowStep, int* taps, float* w, int kernelArea, Vector512<float> biasV,
        float* y, int outW, in WideRowTail tail, int ow, int rows)
    {
        if (rows == 8)
        {
            Vector512<float> a0 = biasV, a1 = biasV, a2 = biasV, a3 = biasV, a4 = biasV, a5 = biasV, a6 = biasV, a7 = biasV;
            for (int t = 0; t < kernelArea; t++)
            {
                float* s = source + taps[t] + ow;
                Vector512<float> wv = Vector512.Create(w[t]);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Load(s), wv, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Load(s + rowStep), wv, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Load(s + 2 * rowStep), wv, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Load(s + 3 * rowStep), wv, a3);
                a4 = Vector512.FusedMultiplyAdd(Vector512.Load(s + 4 * rowStep), wv, a4);
                a5 = Vector512.FusedMultiplyAdd(Vector512.Load(s + 5 * rowStep), wv, a5);
                a6 = Vector512.FusedMultiplyAdd(Vector512.Load(s + 6 * rowStep), wv, a6);
                a7 = Vector512.FusedMultiplyAdd(Vector512.Load(s + 7 * rowStep), wv, a7);
            }
            tail.Store(a0, y, ow);
            tail.Store(a1, y + outW, ow);
            tail.Store(a2, y + 2 * outW, ow);
            tail.Store(a3, y + 3 * outW, ow);
            tail.Store(a4, y + 4 * outW, ow);
            tail.Store(a5, y + 5 * outW, ow);
            tail.Store(a6, y + 6 * outW, ow);
            tail.Store(a7, y + 7 * outW, ow);
        }
        else if (rows == 7)
        {
            Vector512<float> a0 = biasV, a1 = biasV, a2 = biasV, a3 = biasV, a4 = biasV, a5 = biasV, a6 = biasV;
            for (int t = 0; t < kernelArea; t++)
            {
                float* s = source + taps[t] + ow;
                Vector512<float> wv = Vector512.Create(w[t]);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Load(s), wv, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Load(s + rowStep), wv, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Load(s + 2 * rowStep), wv, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Load(s + 3 * rowStep), wv, a3);
                a4 = Vector512.FusedMultiplyAdd(Vector512.Load(s + 4 * rowStep), wv, a4);
                a5 = Vector512.FusedMultiplyAdd(Vector512.Load(s + 5 * rowStep), wv, a5);
                a6 = Vector512.FusedMultiplyAdd(Vector512.Load(s + 6 * rowStep), wv, a6);
            }
            tail.Store(a0, y, ow);
            tail.Store(a1, y + outW, ow);
            tail.Store(a2, y + 2 * outW, ow);
            tail.Store(a3, y + 3 * outW, ow);
            tail.Store(a4, y + 4 * outW, ow);
            tail.Store(a5, y + 5 * outW, ow);
            tail.Store(a6, y + 6 * outW, ow);
        }
        else if (rows == 4)
        {
            Vector512<float> a0 = biasV, a1 = biasV, a2 = biasV, a3 = biasV;
            for (int t = 0; t < kernelArea; t++)
            {
                float* s = source + taps[t] + ow;
                Vector512<float> wv = Vector512.Create(w[t]);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Load(s), wv, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Load(s + rowStep), wv, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Load(s + 2 * rowStep), wv, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Load(s + 3 * rowStep), wv, a3);
            }
            tail.Store(a0, y, ow);
            tail.Store(a1, y + outW, ow);
            tail.Store(a2, y + 2 * outW, ow);
            tail.Store(a3, y + 3 * outW, ow);
        }
        else
        {
            Vector512<float> a0 = biasV;
            for (int t = 0; t < kernelArea; t++)
                a0 = Vector512.FusedMultiplyAdd(Vector512.Load(source + taps[t] + ow), Vector512.Create(w[t]), a0);
            tail.Store(a0, y, ow);
        }
    }

    /// <summary><see cref="RowTail"/> for 512-bit vectors (AVX-512 masked stores).</summary>
    private readonly struct WideRowTail
    {
        private readonly int _fullEnd;
        private readonly Vector512<float> _mask;

        public WideRowTail(int width)
        {
            _fullEnd = width - width % WideLanes;
            _mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(width % WideLanes)).AsSingle();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(Vector512<float> value, float* row, int column)
        {
            if (column < _fullEnd) value.Store(row + column);
            else Avx512F.MaskStore(row + column, _mask, value);
        }
    }

    /// <summary>Stores a vector of output columns of one row: whole, or (the row's last, partial vector) only the lanes inside the row.</summary>
    private readonly struct RowTail
    {
        private readonly int _width, _fullEnd;
        private readonly Vector256<float> _mask;

        public RowTail(int width)
        {
            _width = width;
            _fullEnd = width - width % Lanes;
            _mask = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(width % Lanes)).AsSingle();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(Vector256<float> value, float* row, int column)
        {
            if (column < _fullEnd)
            {
                value.Store(row + column);
            }
            else if (Avx.IsSupported)
            {
                Avx.MaskStore(row + column, _mask, value);
            }
            else
            {
                for (int i = 0; i < _width - column; i++) row[column + i] = value.GetElement(i);
            }
        }
    }

    /// <summary>Scatters every vector of output-gradient columns into the padded input-gradient plane, tap by tap.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void BackwardDataPlane(in DepthwisePlane plane, float* gradient, int* taps, float* w, float* padded)
    {
        int outH = plane.OutHeight, rounded = plane.RoundedWidth, rowStep = plane.RowStep, kernelArea = plane.KernelArea;
        for (int oh = 0; oh < outH; oh++)
        {
            float* target = padded + (long)oh * rowStep;
            float* dyRow = gradient + (long)oh * rounded;
            for (int t = 0; t < kernelArea; t++)
            {
                float* d = target + taps[t];
                Vector256<float> wv = Vector256.Create(w[t]);
                for (int ow = 0; ow < rounded; ow += Lanes)
                    Vector256.FusedMultiplyAdd(Vector256.Load(dyRow + ow), wv, Vector256.Load(d + ow)).Store(d + ow);
            }
        }
    }

    /// <summary>
    /// dw[t] += sum over the plane of dy * x shifted by tap t: four row accumulators per tap (rows oh mod 4),
    /// added in a fixed order at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void FilterPlane(in DepthwisePlane plane, float* padded, float* gradient, int* taps, float* dw)
    {
        int kernelArea = plane.KernelArea, t = 0;
        // Three taps at a time share each load of the gradient (16 loads per 12 multiply-adds instead of 24); every tap
        // keeps its own four sums in the same order, so the result is the single tap's bit for bit.
        for (; t + 3 <= kernelArea; t += 3) FilterThreeTaps(plane, padded, gradient, taps + t, dw + t);
        for (; t < kernelArea; t++) FilterTap(plane, padded + taps[t], gradient, dw + t);
    }

    /// <summary>One tap of <see cref="FilterPlane"/>: four row sums (rows in blocks of four, then one at a time), added up at the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void FilterTap(in DepthwisePlane plane, float* source, float* gradient, float* dw)
    {
        int outH = plane.OutHeight, rounded = plane.RoundedWidth, rowStep = plane.RowStep;
        Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
        int oh = 0;
        for (; oh + 4 <= outH; oh += 4)
        {
            float* s = source + (long)oh * rowStep, d = gradient + (long)oh * rounded;
            for (int ow = 0; ow < rounded; ow += Lanes)
            {
                a0 = Vector256.FusedMultiplyAdd(Vector256.Load(d + ow), Vector256.Load(s + ow), a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.Load(d + rounded + ow), Vector256.Load(s + rowStep + ow), a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.Load(d + 2 * rounded + ow), Vector256.Load(s + 2 * rowStep + ow), a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.Load(d + 3 * rounded + ow), Vector256.Load(s + 3 * rowStep + ow), a3);
            }
        }
        for (; oh < outH; oh++)
        {
            float* s = source + (long)oh * rowStep, d = gradient + (long)oh * rounded;
            for (int ow = 0; ow < rounded; ow += Lanes)
                a0 = Vector256.FusedMultiplyAdd(Vector256.Load(d + ow), Vector256.Load(s + ow), a0);
        }
        *dw += Vector256.Sum((a0 + a1) + (a2 + a3));
    }

    /// <summary>Taps <paramref name="taps"/>[0..3] of <see cref="FilterPlane"/> in one sweep: each tap's sums as <see cref="FilterTap"/> makes them.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void FilterThreeTaps(in DepthwisePlane plane, float* padded, float* gradient, int* taps, float* dw)
    {
        int outH = plane.OutHeight, rounded = plane.RoundedWidth, rowStep = plane.RowStep;
        float* p0 = padded + taps[0], p1 = padded + taps[1], p2 = padded + taps[2];
        Vector256<float> a00 = Vector256<float>.Zero, a01 = a00, a02 = a00, a03 = a00;
        Vector256<float> a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        Vector256<float> a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        int oh = 0;
        long r1 = rowStep, r2 = 2L * rowStep, r3 = 3L * rowStep;
        for (; oh + 4 <= outH; oh += 4)
        {
            long row = (long)oh * rowStep;
            float* s0 = p0 + row, s1 = p1 + row, s2 = p2 + row, d = gradient + (long)oh * rounded;
            for (int ow = 0; ow < rounded; ow += Lanes)
            {
                Vector256<float> d0 = Vector256.Load(d + ow), d1 = Vector256.Load(d + rounded + ow);
                Vector256<float> d2 = Vector256.Load(d + 2 * rounded + ow), d3 = Vector256.Load(d + 3 * rounded + ow);
                a00 = Vector256.FusedMultiplyAdd(d0, Vector256.Load(s0 + ow), a00);
                a01 = Vector256.FusedMultiplyAdd(d1, Vector256.Load(s0 + r1 + ow), a01);
                a02 = Vector256.FusedMultiplyAdd(d2, Vector256.Load(s0 + r2 + ow), a02);
                a03 = Vector256.FusedMultiplyAdd(d3, Vector256.Load(s0 + r3 + ow), a03);
                a10 = Vector256.FusedMultiplyAdd(d0, Vector256.Load(s1 + ow), a10);
                a11 = Vector256.FusedMultiplyAdd(d1, Vector256.Load(s1 + r1 + ow), a11);
                a12 = Vector256.FusedMultiplyAdd(d2, Vector256.Load(s1 + r2 + ow), a12);
                a13 = Vector256.FusedMultiplyAdd(d3, Vector256.Load(s1 + r3 + ow), a13);
                a20 = Vector256.FusedMultiplyAdd(d0, Vector256.Load(s2 + ow), a20);
                a21 = Vector256.FusedMultiplyAdd(d1, Vector256.Load(s2 + r1 + ow), a21);
                a22 = Vector256.FusedMultiplyAdd(d2, Vector256.Load(s2 + r2 + ow), a22);
                a23 = Vector256.FusedMultiplyAdd(d3, Vector256.Load(s2 + r3 + ow), a23);
            }
        }
        for (; oh < outH; oh++)
        {
            long row = (long)oh * rowStep;
            float* s0 = p0 + row, s1 = p1 + row, s2 = p2 + row, d = gradient + (long)oh * rounded;
            for (int ow = 0; ow < rounded; ow += Lanes)
            {
                Vector256<float> d0 = Vector256.Load(d + ow);
                a00 = Vector256.FusedMultiplyAdd(d0, Vector256.Load(s0 + ow), a00);
                a10 = Vector256.FusedMultiplyAdd(d0, Vector256.Load(s1 + ow), a10);
                a20 = Vector256.FusedMultiplyAdd(d0, Vector256.Load(s2 + ow), a20);
            }
        }
        dw[0] += Vector256.Sum((a00 + a01) + (a02 + a03));
        dw[1] += Vector256.Sum((a10 + a11) + (a12 + a13));
        dw[2] += Vector256.Sum((a20 + a21) + (a22 + a23));
    }
}
