using System.Buffers;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// The input gradient of a stride-1, undilated convolution computed as a forward convolution: dx = conv(dy, w~) where
/// w~[c, o, i, j] = w[o, c, KH-1-i, KW-1-j] (per group: kernel turned 180 degrees, input and output channels swapped)
/// and dy is padded by K-1-pad on each side. For dense convolutions that replaces the GEMM into a column matrix plus
/// col2im scatter of <see cref="Conv2d.BackwardDataByColumns(in Conv2dGeometry, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
/// with the forward convolution's own paths straight into dx (so the input gradient gains whatever the forward gains).
/// Depthwise convolutions run the depthwise forward kernel. Each dx element is then one dot product over (o, i, j) ascending,
/// the same for every thread count.
/// </summary>
internal static unsafe class Conv2dDataGradient
{
    /// <summary>
    /// Output positions per sample up to which a dense convolution whose turned form runs on the im2col forward (not
    /// <see cref="Conv2dShiftedRows"/>) still takes this path: measured (the conv-backward benchmark) 1.15-1.35x faster
    /// than the column path at resnet18's 4x4 and 2x2 maps (b256).
    /// </summary>
    public const int MaxDenseSpatial = 16;

    /// <summary>
    /// True when the gradient takes this path: stride 1, no dilation, padding at most K-1 on every side, more than one
    /// kernel tap, and either a depthwise convolution whose turned form runs on the depthwise kernel (a gather per
    /// output vector instead of nine read-modify-write passes over the plane), or a dense one whose turned form runs on
    /// <see cref="Conv2dWinograd"/> (from the weights' cached transform) or on <see cref="Conv2dShiftedRows"/> (no column matrix at all: 1.1-1.3x faster than the column path from 14x14 to
    /// 56x56 at b8 and at 16x16 and 8x8 b256; 0.95-0.98x at 7x7 b8, kept for one rule), or on maps of at most <see cref="MaxDenseSpatial"/> positions batched by
    /// <see cref="Conv2dBatched"/>. Chosen by geometry only.
    /// </summary>
    public static bool Applies(in Conv2dGeometry g)
    {
        if (g.StrideH != 1 || g.StrideW != 1 || g.DilationH != 1 || g.DilationW != 1 || g.KernelHeight * g.KernelWidth == 1
            || g.PadTop >= g.KernelHeight || g.PadBottom >= g.KernelHeight || g.PadLeft >= g.KernelWidth || g.PadRight >= g.KernelWidth)
            return false;
        var turned = Transposed(g);
        if (Conv2d.IsDepthwise(g)) return Conv2d.IsDepthwise(turned);
        return Conv2dWinograd.Applies(turned) || Conv2dShiftedRows.Applies(turned) || (g.OutHeight * g.OutWidth <= MaxDenseSpatial && Conv2dBatched.Applies(g));
    }

    /// <summary>The forward geometry that maps dy (as input) to dx (as output).</summary>
    public static Conv2dGeometry Transposed(in Conv2dGeometry g) => new(
        g.Batch, g.OutChannels, g.OutHeight, g.OutWidth, g.InChannels, g.KernelHeight, g.KernelWidth,
        PadTop: g.KernelHeight - 1 - g.PadTop, PadLeft: g.KernelWidth - 1 - g.PadLeft,
        PadBottom: g.KernelHeight - 1 - g.PadBottom, PadRight: g.KernelWidth - 1 - g.PadRight,
        Groups: g.Groups);

    /// <summary>dx = conv^T(dy, w) (overwrites dx); the caller has checked the lengths and <see cref="Applies"/>.</summary>
    public static void Compute(in Conv2dGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx)
    {
        if (Conv2dWinograd.Applies(Transposed(g)))
        {
            // The turned kernel is transformed straight from w (and kept with w's transforms), never flipped here.
            fixed (float* pdy = dy, pw = w, pdx = dx) Conv2dWinograd.BackwardData(g, pdy, pw, pdx);
            return;
        }
        int length = checked((int)Conv2d.WeightLength(g));
        // From the array pool, not ScratchBuffer: its few large slots are what the forward convolution below rents its
        // planes from, and a slot held here made that forward allocate fresh large arrays on every call (resnet18's
        // 512-channel kernels are 2.4M floats): forward + backward measured 10-20% slower than without this path.
        float[] flipped = ArrayPool<float>.Shared.Rent(length);
        try
        {
            FlipKernel(g, w, flipped);
            Conv2d.Forward(Transposed(g), dy, flipped.AsSpan(0, length), ReadOnlySpan<float>.Empty, dx);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(flipped);
        }
    }

    /// <summary>flipped[g, c, o, i, j] = w[g, o, c, KH-1-i, KW-1-j] for every group g (c, o within the group).</summary>
    internal static void FlipKernel(in Conv2dGeometry g, ReadOnlySpan<float> w, Span<float> flipped)
    {
        int groupIn = g.GroupInChannels, groupOut = g.GroupOutChannels, area = g.KernelHeight * g.KernelWidth;
        fixed (float* pw = w, pf = flipped)
        {
            float* ws = pw, fs = pf;
            // Parallel over (group, o): each writes its own column of taps in every c row of the flipped kernel.
            KernelParallel.For(g.Groups * groupOut, (long)groupIn * area, (first, end) =>
            {
                for (int go = first; go < end; go++)
                {
                    int group = go / groupOut, o = go % groupOut;
                    float* src = ws + (long)go * groupIn * area;
                    float* groupDst = fs + (long)group * groupIn * groupOut * area;
                    for (int c = 0; c < groupIn; c++, src += area)
                    {
                        float* dst = groupDst + ((long)c * groupOut + o) * area;
                        for (int t = 0; t < area; t++) dst[t] = src[area - 1 - t];
                    }
                }
            });
        }
    }
}
