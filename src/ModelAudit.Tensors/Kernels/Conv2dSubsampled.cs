using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// The forward pass of an unpadded 1x1 convolution with a stride (resnet's downsampling shortcuts) on maps too large to
/// batch, as a pointwise one on the input positions it reads: those gathered into a compact [N, C, OH, OW] copy (a
/// quarter of the input at stride 2) and run by <see cref="Conv2dBatched"/>'s one GEMM per sample straight into y, where
/// the shifted rows copied the whole input into phase planes and the product out again (resnet50's 256 -> 512 to 28x28,
/// b8, one thread: 12.5-13.8 -> 12.4-12.7 ms, resnet18's 64 -> 128 1.1-1.3 -> 1.0-1.2 ms; two threads 7.0-8.2 -> 6.5-6.8
/// and 0.65 -> 0.58 ms, in-process A/B). The same K-ordered sums with the same bias, residual and activation steps, bit
/// for bit. (The input gradient the same way, the compact one scattered back, measured level with the column path:
/// writing dx dominates; not taken.)
/// </summary>
internal static unsafe class Conv2dSubsampled
{
    /// <summary>
    /// True for a 1x1, one-group, unpadded convolution with a stride above 1 whose output maps are too large for
    /// <see cref="Conv2dBatched"/> (which lowers just the quarter already) and hold at least
    /// <see cref="Conv2dBatched.MinPointwiseSpatial"/> positions. Chosen by geometry only.
    /// </summary>
    public static bool Applies(in Conv2dGeometry g)
        => g.KernelHeight == 1 && g.KernelWidth == 1 && g.Groups == 1 && (g.StrideH > 1 || g.StrideW > 1)
           && g.PadTop == 0 && g.PadLeft == 0 && g.PadBottom == 0 && g.PadRight == 0
           && !Conv2dBatched.Applies(g) && (long)g.OutHeight * g.OutWidth >= Conv2dBatched.MinPointwiseSpatial;

    /// <summary>The pointwise convolution on the gathered input.</summary>
    public static Conv2dGeometry Compact(in Conv2dGeometry g) => new(g.Batch, g.InChannels, g.OutHeight, g.OutWidth, g.OutChannels, 1, 1);

    /// <summary>
    /// Floats of gathered input at once (4 MiB): samples are gathered and run a block at a time, so the copy does not grow
    /// with the batch (a whole chunk of resnet50's 256 -> 512 at 28x28 is 0.8 MB a sample).
    /// </summary>
    private const long BlockFloats = 1L << 20;

    /// <summary>y = act(conv(x, w) + bias + residual) (bias, residual null: none).</summary>
    public static void Forward(in Conv2dGeometry g, float* x, float* w, float* bias, float* residual, in FusedActivation activation, float* y)
        => Forward(g, x, w, bias, residual, activation, y, BlockFloats);

    /// <summary>
    /// <see cref="Forward(in Conv2dGeometry, float*, float*, float*, float*, in FusedActivation, float*)"/> with blocks of
    /// about <paramref name="blockFloats"/> gathered floats (tests vary it; a sample's result does not depend on its block).
    /// Blocks are of equal size, a whole number of workers' samples where the batch allows, so none waits on a short one.
    /// </summary>
    internal static void Forward(in Conv2dGeometry g, float* x, float* w, float* bias, float* residual, in FusedActivation activation, float* y, long blockFloats)
    {
        long inSample = Conv2d.InputLength(g with { Batch = 1 }), outSample = Conv2d.OutputLength(g with { Batch = 1 });
        long gatheredSample = Conv2d.InputLength(Compact(g with { Batch = 1 }));
        int blocks = (int)Math.Clamp((g.Batch * gatheredSample + blockFloats - 1) / blockFloats, 1, g.Batch);
        int workers = KernelParallel.MaxDegree, block = (g.Batch + blocks - 1) / blocks;
        block = Math.Min(g.Batch, (block + workers - 1) / workers * workers);
        float[] gathered = ScratchBuffer.Shared.Rent(checked((int)(block * gatheredSample)));
        try
        {
            fixed (float* pg = gathered)
            {
                for (int n0 = 0; n0 < g.Batch; n0 += block)
                {
                    var part = g with { Batch = Math.Min(block, g.Batch - n0) };
                    var compact = Compact(part);
                    int inLength = checked((int)Conv2d.InputLength(compact)), outLength = checked((int)Conv2d.OutputLength(part));
                    Gather(part, x + n0 * inSample, pg);
                    Conv2d.Forward(compact, new ReadOnlySpan<float>(pg, inLength), new ReadOnlySpan<float>(w, g.OutChannels * g.InChannels),
                        bias == null ? ReadOnlySpan<float>.Empty : new ReadOnlySpan<float>(bias, g.OutChannels),
                        residual == null ? ReadOnlySpan<float>.Empty : new ReadOnlySpan<float>(residual + n0 * outSample, outLength),
                        activation, new Span<float>(y + n0 * outSample, outLength));
                }
            }
        }
        finally
        {
            ScratchBuffer.Shared.Return(gathered);
        }
    }

    /// <summary>
    /// gathered[n, c, i, j] = x[n, c, i * strideH, j * strideW], planes split between workers: each plane is im2col's one
    /// row of a 1x1 kernel, so plane p of the batch is row p of <see cref="Im2Col.LowerRow"/> over the whole batch.
    /// </summary>
    private static void Gather(in Conv2dGeometry g, float* x, float* gathered)
    {
        Conv2dGeometry geometry = g;
        long outPlane = (long)g.OutHeight * g.OutWidth;
        KernelParallel.For(g.Batch * g.InChannels, outPlane, (first, end) =>
        {
            for (int p = first; p < end; p++) Im2Col.LowerRow(geometry, p, x, gathered + p * outPlane);
        });
    }
}
