using System.Buffers;
using System.Numerics.Tensors;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// 2-D convolution over NCHW input with OIHW weights: forward, gradient with respect to the input and
/// gradient with respect to the weights (and bias). The forward pass reads shifted rows of a zero-gapped copy of the
/// input where that wastes little (<see cref="Conv2dShiftedRows"/>), otherwise goes through im2col + <see cref="Sgemm"/>
/// per sample and group, writing the column matrix straight into the GEMM's packed-panel layout. The input gradient
/// scatters a column-matrix product back with col2im, and 1x1, stride 1, unpadded convolutions use the input itself
/// as the column matrix. Image stems (a few input channels, at most 32 output channels) run with output channels in
/// vector lanes (<see cref="Conv2dOutputLanes"/>), the same sums; unpadded strided 1x1 convolutions on large maps as
/// pointwise ones on the input positions they read (<see cref="Conv2dSubsampled"/>). Depthwise convolutions
/// (groups == C == O) use <see cref="DepthwiseConv2d"/>. Column workspaces come from the shared array pool.
/// </summary>
internal static unsafe class Conv2d
{
    /// <summary>y = conv(x, w) + bias. <paramref name="bias"/> may be empty (no bias).</summary>
    public static void Forward(in Conv2dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y)
        => Forward(g, x, w, bias, ReadOnlySpan<float>.Empty, FusedActivation.None, y);

    /// <summary>
    /// y = act(conv(x, w) + bias + residual), the residual (shaped as y) and the activation optional: the graph's Conv,
    /// Add and activation nodes in one pass, applied to each output tile while it is in cache, bit-identical to running them apart.
    /// </summary>
    public static void Forward(in Conv2dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> residual, in FusedActivation activation, Span<float> y)
    {
        Validate(g);
        KernelGuard.RequireLength(x.Length, InputLength(g), nameof(x));
        KernelGuard.RequireLength(w.Length, WeightLength(g), nameof(w));
        if (!bias.IsEmpty) KernelGuard.RequireLength(bias.Length, g.OutChannels, nameof(bias));
        if (!residual.IsEmpty) KernelGuard.RequireLength(residual.Length, OutputLength(g), nameof(residual));
        KernelGuard.RequireLength(y.Length, OutputLength(g), nameof(y));
        if (IsDepthwise(g))
        {
            DepthwiseConv2d.Forward(g, x, w, bias, residual, activation, y);
            return;
        }

        fixed (float* px = x, pw = w, pb = bias, pr = residual, py = y)
        {
            float* xs = px, ws = pw, bs = bias.IsEmpty ? null : pb, rs = residual.IsEmpty ? null : pr, ys = py;
            if (Conv2dWinograd.Applies(g))
            {
                Conv2dWinograd.Forward(g, xs, ws, bs, rs, activation, ys);
                return;
            }
            if (Conv2dBatched.IsPointwiseOnPoints(g)) { Conv2dBatched.Forward(g, xs, ws, bs, rs, activation, ys); return; } // any batch, one sample too: its result must not depend on the batch
            if (Conv2dOutputLanes.Applies(g))
            {
                Conv2dOutputLanes.Forward(g, xs, ws, bs, rs, activation, ys);
                return;
            }
            if (Conv2dSubsampled.Applies(g))
            {
                Conv2dSubsampled.Forward(g, xs, ws, bs, rs, activation, ys);
                return;
            }
            if (TakesShiftedRows(g))
            {
                Conv2dShiftedRows.Forward(g, xs, ws, bs, rs, activation, ys);
                return;
            }
            if (Conv2dBatched.Applies(g))
            {
                Conv2dBatched.Forward(g, xs, ws, bs, rs, activation, ys);
                return;
            }
            Conv2dGeometry geometry = g;
            FusedActivation act = activation;
            ForEachSample(g, (n, col, parallel) => ForwardSample(geometry, n, xs, ws, bs, rs, act, ys, col, parallel));
        }
    }

    /// <summary>
    /// Whether the forward runs on <see cref="Conv2dShiftedRows"/> (after Winograd and the lanes kernels declined): every
    /// convolution it applies to but the pointwise ones, and but a 1x1 strided one on maps small enough to batch, whose
    /// lowering copies just the quarter of the input it reads where the phase planes copy all of it: resnet50's 1x1
    /// stride-2 downsample to 7x7 16-19% faster at one and two threads, to 14x14 0-10%; and but a 1x1 strided one on larger
    /// maps, which runs on the gathered quarter (<see cref="Conv2dSubsampled"/>; the per-sample lowering had measured 15-20%
    /// slower there). The same K-ordered sums either way.
    /// </summary>
    internal static bool TakesShiftedRows(in Conv2dGeometry g)
        => !IsPointwise(g) && !(g.KernelHeight * g.KernelWidth == 1 && Conv2dBatched.Applies(g)) && !Conv2dSubsampled.Applies(g)
           && Conv2dShiftedRows.Applies(g);

    /// <summary>dx = conv^T(dy, w), the gradient with respect to the input (overwrites dx).</summary>
    public static void BackwardData(in Conv2dGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx)
    {
        Validate(g);
        KernelGuard.RequireLength(dy.Length, OutputLength(g), nameof(dy));
        KernelGuard.RequireLength(w.Length, WeightLength(g), nameof(w));
        KernelGuard.RequireLength(dx.Length, InputLength(g), nameof(dx));
        if (Conv2dDataGradient.Applies(g))
        {
            Conv2dDataGradient.Compute(g, dy, w, dx);
            return;
        }
        if (IsDepthwise(g))
        {
            DepthwiseConv2d.BackwardData(g, dy, w, dx);
            return;
        }
        BackwardDataByColumns(g, dy, w, dx);
    }

    /// <summary>
    /// dx = conv^T(dy, w) through the column matrix: a GEMM W^T dy, then col2im (overwrites dx). The path of the dense
    /// geometries <see cref="Conv2dDataGradient"/> does not take, and its reference in tests and benchmarks.
    /// </summary>
    internal static void BackwardDataByColumns(in Conv2dGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx)
        => BackwardDataByColumns(g, dy, w, dx, Conv2dColumnGradient.ChunkFloats);

    /// <summary>
    /// <see cref="BackwardDataByColumns(in Conv2dGeometry, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/> with
    /// the batched small-map path's column matrix in chunks of about <paramref name="chunkFloats"/> floats (tests and
    /// benchmarks vary it; results do not change).
    /// </summary>
    internal static void BackwardDataByColumns(in Conv2dGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx, int chunkFloats)
    {
        fixed (float* pdy = dy, pw = w, pdx = dx)
        {
            float* dys = pdy, ws = pw, dxs = pdx;
            // A pointwise convolution on maps of 128+ positions runs one GEMM per sample straight into dx (below), as
            // its forward does: no copy of dy side by side, no packed copy, no scatter (resnet50's 14x14 1x1 layers).
            if (Conv2dBatched.Applies(g) && !Conv2dBatched.IsPointwiseOnPlanes(g))
            {
                Conv2dBatched.BackwardData(g, dys, ws, dxs, chunkFloats);
                return;
            }
            Conv2dGeometry geometry = g;
            // Per sample the column matrix is made whole: chunks of 64K to 600K floats measured no faster at resnet18's
            // 56x56 and 28x28 maps (b8), where the GEMM's own row blocks already re-read the packed gradient.
            int chunkChannels = g.GroupInChannels;
            // A pointwise one's positions past each sample's whole panels run for all samples in one product first, as in
            // its forward (Conv2dBatched.RaggedColumns): at 14x14 1.05-1.20x at one thread, 1.00-1.09x at two (resnet50's
            // and mobilenet_v3's pointwise layers, in-process A/B), level at 28x28.
            int ragged = Conv2dBatched.IsPointwiseOnPlanes(g) ? Conv2dBatched.RaggedDataColumns(g) : 0;
            if (ragged > 0)
                Conv2dBatched.MultiplyRaggedColumns(true, g.InChannels, g.OutChannels, ws, g.InChannels, dys, dxs, g.Batch, g.OutHeight * g.OutWidth, ragged, null, null, FusedActivation.None);
            ForEachSample(g, (n, col, parallel) => BackwardDataSample(geometry, n, dys, ws, dxs, col, chunkChannels, ragged, parallel), BackwardDataWorkspace(g, chunkChannels));
        }
    }

    /// <summary>
    /// Runs <paramref name="sample"/>(n, column workspace of <paramref name="workspace"/> floats, or of the forward's column
    /// matrix when null; none for pointwise geometries, parallel) for every sample. With at least as many
    /// samples as cores, samples run in parallel (each worker serial, with its own workspace); otherwise
    /// samples run in order and each one parallelises inside. Either way every output element is computed
    /// by the same serial arithmetic, so results do not depend on the thread count.
    /// </summary>
    private static void ForEachSample(in Conv2dGeometry g, SampleAction sample, int? workspace = null)
    {
        // Room for the column matrix of one sample-group, plain or in prepacked panels (the larger), unless the caller says.
        int columnLength = IsPointwise(g) ? 0 : workspace ?? checked((int)SgemmPack.PrepackedLength(g.GroupInChannels * g.KernelHeight * g.KernelWidth, g.OutHeight * g.OutWidth, Sgemm.NR));
        long workPerSample = 2L * g.OutChannels * g.OutHeight * g.OutWidth * g.GroupInChannels * g.KernelHeight * g.KernelWidth;
        bool sampleParallel = g.Batch >= KernelParallel.MaxDegree && KernelParallel.ChunkCount(g.Batch, workPerSample) > 1;
        if (sampleParallel)
        {
            KernelParallel.For(g.Batch, workPerSample, (first, end) => RunSamples(sample, first, end, columnLength, parallel: false));
        }
        else
        {
            RunSamples(sample, 0, g.Batch, columnLength, parallel: true);
        }
    }

    private static void RunSamples(SampleAction sample, int first, int end, int columnLength, bool parallel)
    {
        float[]? col = columnLength > 0 ? ScratchBuffer.Shared.Rent(columnLength) : null;
        try
        {
            fixed (float* pcol = col)
            {
                for (int n = first; n < end; n++) sample(n, pcol, parallel);
            }
        }
        finally
        {
            if (col is not null) ScratchBuffer.Shared.Return(col);
        }
    }

    private delegate void SampleAction(int n, float* col, bool parallel);

    private static void ForwardSample(in Conv2dGeometry g, int n, float* x, float* w, float* bias, float* residual, in FusedActivation activation, float* y, float* col, bool parallel)
    {
        int groupIn = g.GroupInChannels, groupOut = g.GroupOutChannels;
        int kernelSize = groupIn * g.KernelHeight * g.KernelWidth;
        int spatial = g.OutHeight * g.OutWidth, inPlane = g.InHeight * g.InWidth;
        for (int group = 0; group < g.Groups; group++)
        {
            float* xg = x + ((long)n * g.InChannels + group * groupIn) * inPlane;
            long outOffset = ((long)n * g.OutChannels + group * groupOut) * spatial;
            // Bias, residual and activation are applied by the GEMM to each tile of this sample-group's output while it is hot.
            var epilogue = new GemmEpilogue(bias == null ? null : bias + group * groupOut, residual == null ? null : residual + outOffset, activation);
            var weights = new ReadOnlySpan<float>(w + (long)group * groupOut * kernelSize, groupOut * kernelSize);
            var output = new Span<float>(y + outOffset, groupOut * spatial);
            if (col != null)
            {
                Im2Col.LowerPrepacked(g, groupIn, xg, col, parallel);
                Sgemm.MultiplyPrepacked(false, groupOut, spatial, kernelSize, 1f, weights, kernelSize,
                    new ReadOnlySpan<float>(col, (int)SgemmPack.PrepackedLength(kernelSize, spatial, Sgemm.NR)), 0f, output, spatial, parallel, epilogue);
            }
            else
            {
                Sgemm.Multiply(false, false, groupOut, spatial, kernelSize, 1f, weights, kernelSize,
                    new ReadOnlySpan<float>(xg, kernelSize * spatial), spatial, 0f, output, spatial, parallel, epilogue);
            }
        }
    }

    /// <summary>Sample <paramref name="n"/>'s input gradient; a pointwise one's last <paramref name="ragged"/> positions are already done.</summary>
    private static void BackwardDataSample(in Conv2dGeometry g, int n, float* dy, float* w, float* dx, float* col, int chunkChannels, int ragged, bool parallel)
    {
        int groupIn = g.GroupInChannels, groupOut = g.GroupOutChannels;
        int kernelSize = groupIn * g.KernelHeight * g.KernelWidth;
        int spatial = g.OutHeight * g.OutWidth, inPlane = g.InHeight * g.InWidth;
        if (col == null)
        {
            // 1x1, stride 1, unpadded: the column matrix is dx itself.
            for (int group = 0; group < g.Groups; group++)
            {
                float* dxg = dx + ((long)n * g.InChannels + group * groupIn) * inPlane;
                float* dyg = dy + ((long)n * g.OutChannels + group * groupOut) * spatial;
                Sgemm.Multiply(true, false, kernelSize, spatial - ragged, groupOut, 1f,
                    new ReadOnlySpan<float>(w + (long)group * groupOut * kernelSize, groupOut * kernelSize), kernelSize,
                    new ReadOnlySpan<float>(dyg, groupOut * spatial), spatial,
                    0f, new Span<float>(dxg, kernelSize * spatial), spatial, parallel);
            }
            return;
        }
        // The workspace holds the packed output gradient, then a chunk of the column matrix (see BackwardDataWorkspace).
        float* chunk = col + SgemmPack.PrepackedLength(groupOut, spatial, Sgemm.NR);
        for (int group = 0; group < g.Groups; group++)
        {
            Conv2dColumnGradient.PackPanels(dy + ((long)n * g.OutChannels + group * groupOut) * spatial, spatial, groupOut, spatial, col);
            Conv2dColumnGradient.Raise(g, w + (long)group * groupOut * kernelSize, col, 1,
                dx + ((long)n * g.InChannels + group * groupIn) * inPlane, 0, chunk, chunkChannels, parallel);
        }
    }

    /// <summary>Floats of <see cref="BackwardDataSample"/>'s workspace: the packed output gradient of a group and one chunk of its column matrix.</summary>
    private static int BackwardDataWorkspace(in Conv2dGeometry g, int chunkChannels)
    {
        int spatial = g.OutHeight * g.OutWidth;
        return checked((int)(SgemmPack.PrepackedLength(g.GroupOutChannels, spatial, Sgemm.NR) + (long)chunkChannels * g.KernelHeight * g.KernelWidth * spatial));
    }

    /// <summary>
    /// dw = sum over samples of dy * col(x)^T and dbias = sum of dy over samples and positions (both
    /// overwritten). <paramref name="dbias"/> may be empty (not computed).
    /// </summary>
    public static void BackwardFilter(in Conv2dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias)
    {
        Validate(g);
        KernelGuard.RequireLength(x.Length, InputLength(g), nameof(x));
        KernelGuard.RequireLength(dy.Length, OutputLength(g), nameof(dy));
        KernelGuard.RequireLength(dw.Length, WeightLength(g), nameof(dw));
        if (!dbias.IsEmpty) KernelGuard.RequireLength(dbias.Length, g.OutChannels, nameof(dbias));
        int spatial = g.OutHeight * g.OutWidth;
        if (!dbias.IsEmpty) BiasGradient(g.Batch, g.OutChannels, spatial, dy, dbias);
        if (IsDepthwise(g))
        {
            DepthwiseConv2d.BackwardFilter(g, x, dy, dw);
            return;
        }
        if (Conv2dBatched.FilterApplies(g))
        {
            fixed (float* px = x, pdy = dy, pdw = dw) Conv2dBatched.BackwardFilter(g, px, pdy, pdw);
            return;
        }
        BackwardFilterPerSample(g, x, dy, dw);
    }

    /// <summary>dw = sum over samples of dy * col(x)^T (overwrites dw), one GEMM per sample and group: the path for maps too large to batch, and the batched path's reference in tests.</summary>
    internal static void BackwardFilterPerSample(in Conv2dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw)
    {
        int groupIn = g.GroupInChannels, groupOut = g.GroupOutChannels;
        int kernelSize = groupIn * g.KernelHeight * g.KernelWidth;
        int spatial = g.OutHeight * g.OutWidth, inPlane = g.InHeight * g.InWidth;
        bool lowered = !IsPointwise(g);
        float[]? col = lowered ? ScratchBuffer.Shared.Rent(kernelSize * spatial) : null;
        try
        {
            fixed (float* px = x, pdy = dy, pdw = dw, pcol = col)
            {
                if (g.Batch == 0) new Span<float>(pdw, (int)WeightLength(g)).Clear();
                for (int group = 0; group < g.Groups; group++)
                {
                    float* dwg = pdw + (long)group * groupOut * kernelSize;
                    for (int n = 0; n < g.Batch; n++)
                    {
                        float* xg = px + ((long)n * g.InChannels + group * groupIn) * inPlane;
                        float* dyg = pdy + ((long)n * g.OutChannels + group * groupOut) * spatial;
                        float* b = xg;
                        if (lowered)
                        {
                            Im2Col.Lower(g, groupIn, xg, pcol, parallel: true);
                            b = pcol;
                        }
                        Sgemm.Multiply(false, true, groupOut, kernelSize, spatial, 1f,
                            new ReadOnlySpan<float>(dyg, groupOut * spatial), spatial,
                            new ReadOnlySpan<float>(b, kernelSize * spatial), spatial,
                            n == 0 ? 0f : 1f, new Span<float>(dwg, groupOut * kernelSize), kernelSize);
                    }
                }
            }
        }
        finally
        {
            if (col is not null) ScratchBuffer.Shared.Return(col);
        }
    }

    /// <summary>dbias[o] = sum over samples (ascending) of the sum of dy[n, o, :].</summary>
    internal static void BiasGradient(int batch, int channels, int spatial, ReadOnlySpan<float> dy, Span<float> dbias)
    {
        for (int o = 0; o < channels; o++)
        {
            float sum = 0;
            for (int n = 0; n < batch; n++) sum += TensorPrimitives.Sum(dy.Slice(((n * channels) + o) * spatial, spatial));
            dbias[o] = sum;
        }
    }

    internal static bool IsDepthwise(in Conv2dGeometry g)
        => g.Groups > 1 && g.Groups == g.InChannels && g.Groups == g.OutChannels && DepthwisePlane.Fits(g, DepthwiseConv2d.Lanes);

    internal static bool IsPointwise(in Conv2dGeometry g)
        => g.KernelHeight == 1 && g.KernelWidth == 1 && g.StrideH == 1 && g.StrideW == 1
           && g.PadTop == 0 && g.PadLeft == 0 && g.PadBottom == 0 && g.PadRight == 0;

    internal static long InputLength(in Conv2dGeometry g) => (long)g.Batch * g.InChannels * g.InHeight * g.InWidth;

    internal static long OutputLength(in Conv2dGeometry g) => (long)g.Batch * g.OutChannels * g.OutHeight * g.OutWidth;

    internal static long WeightLength(in Conv2dGeometry g) => (long)g.OutChannels * g.GroupInChannels * g.KernelHeight * g.KernelWidth;

    private static void Validate(in Conv2dGeometry g)
    {
        KernelGuard.RequireNonNegative(g.Batch, nameof(g.Batch));
        KernelGuard.RequirePositive(g.InChannels, nameof(g.InChannels));
        KernelGuard.RequirePositive(g.OutChannels, nameof(g.OutChannels));
        KernelGuard.RequirePositive(g.KernelHeight, nameof(g.KernelHeight));
        KernelGuard.RequirePositive(g.KernelWidth, nameof(g.KernelWidth));
        KernelGuard.RequirePositive(g.StrideH, nameof(g.StrideH));
        KernelGuard.RequirePositive(g.StrideW, nameof(g.StrideW));
        KernelGuard.RequirePositive(g.DilationH, nameof(g.DilationH));
        KernelGuard.RequirePositive(g.DilationW, nameof(g.DilationW));
        KernelGuard.RequirePositive(g.Groups, nameof(g.Groups));
        KernelGuard.RequireNonNegative(g.PadTop, nameof(g.PadTop));
        KernelGuard.RequireNonNegative(g.PadLeft, nameof(g.PadLeft));
        KernelGuard.RequireNonNegative(g.PadBottom, nameof(g.PadBottom));
        KernelGuard.RequireNonNegative(g.PadRight, nameof(g.PadRight));
        if (g.InChannels % g.Groups != 0 || g.OutChannels % g.Groups != 0)
            throw new ArgumentException($"Channels ({g.InChannels} in, {g.OutChannels} out) must be divisible by groups ({g.Groups}).", nameof(g));
        if (g.OutHeight <= 0 || g.OutWidth <= 0)
            throw new ArgumentException($"Kernel does not fit the padded input (output {g.OutHeight}x{g.OutWidth}).", nameof(g));
    }
}
