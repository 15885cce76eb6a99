using ModelAudit.Tensors.Kernels.Elementwise;
using ModelAudit.Tensors.Kernels.Layout;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Convolution forward, input gradient and weight gradient for small output maps (at most <see cref="MaxSpatial"/> positions,
/// e.g. resnet's 7x7 and 14x14 stages, squeeze-excitation 1x1 maps): a per-sample GEMM there has too few columns to
/// keep the micro-kernel busy, so the column matrices of a block of samples are laid side by side,
/// [Cg*KH*KW, samples*OH*OW] (written straight into the GEMM's packed-panel layout), and one GEMM serves the block. Chosen by geometry only, never by thread count; each
/// output element is still one K-ordered dot product (plus the bias), so results do not depend on the thread count.
/// </summary>
internal static unsafe class Conv2dBatched
{
    /// <summary>Output positions per sample up to which samples are batched.</summary>
    public const int MaxSpatial = 256;

    /// <summary>GEMM columns per block: enough to fill the micro-kernel's panels, small enough to bound the workspace.</summary>
    private const int BlockColumns = 512;

    public static bool Applies(in Conv2dGeometry g) => g.Batch > 1 && (long)g.OutHeight * g.OutWidth <= MaxSpatial;

    /// <summary>
    /// y = act(conv(x, w) + bias + residual) (bias, residual null: none), the residual and activation applied as the
    /// output is copied out of the block. With at least as many blocks as workers, blocks run in parallel (each worker
    /// serial, with its own workspace: one fork per convolution); otherwise blocks run in order and each parallelises
    /// inside. Either way every block is computed by the same arithmetic.
    /// </summary>
    public static void Forward(in Conv2dGeometry g, float* x, float* w, float* bias, float* residual, in FusedActivation activation, float* y)
    {
        if (IsPointwiseOnPoints(g))
        {
            ForwardOnPoints(g, x, w, bias, residual, activation, y);
            return;
        }
        if (IsPointwiseOnPlanes(g))
        {
            ForwardPointwisePerSample(g, x, w, bias, residual, activation, y);
            return;
        }
        ForwardInBlocks(g, x, w, bias, residual, activation, y);
    }

    /// <summary><see cref="Forward"/> through blocks of samples side by side (taken for every geometry but the pointwise ones; tests run it on those too).</summary>
    internal static void ForwardInBlocks(in Conv2dGeometry g, float* x, float* w, float* bias, float* residual, in FusedActivation activation, float* y)
    {
        Conv2dGeometry geometry = g;
        FusedActivation act = activation;
        int block = SamplesPerBlock(g), blocks = (g.Batch + block - 1) / block;
        long workPerBlock = 2L * block * g.OutChannels * g.OutHeight * g.OutWidth * g.GroupInChannels * g.KernelHeight * g.KernelWidth;
        if (blocks >= KernelParallel.MaxDegree && KernelParallel.ChunkCount(blocks, workPerBlock) > 1)
            KernelParallel.For(blocks, workPerBlock, (first, end) => ForwardBlocks(geometry, x, w, bias, residual, act, y, first, end, parallel: false));
        else
            ForwardBlocks(g, x, w, bias, residual, activation, y, 0, blocks, parallel: true);
    }

    /// <summary>
    /// A 1x1 convolution of 1x1 maps in one group (squeeze-excitation's fully connected layers): x is [N, C] and y is
    /// [N, O] as stored, so y = x w^T is one GEMM on the tensors themselves, with no lowering and no copy out, and the
    /// batch as its short side (as the columns of w x^T, a handful of samples would fill an eighth of the micro-kernel's panels).
    /// </summary>
    internal static bool IsPointwiseOnPoints(in Conv2dGeometry g)
        => g.Groups == 1 && g.InHeight == 1 && g.InWidth == 1 && g.KernelHeight == 1 && g.KernelWidth == 1
           && g.PadTop == 0 && g.PadLeft == 0 && g.PadBottom == 0 && g.PadRight == 0;

    /// <summary>Output positions per sample from which a pointwise convolution's forward runs one GEMM per sample (<see cref="ForwardPointwisePerSample"/>).</summary>
    public const int MinPointwiseSpatial = 128;

    /// <summary>
    /// A 1x1, stride 1, unpadded convolution in one group with at least <see cref="MinPointwiseSpatial"/> positions
    /// (mobilenet's 14x14 maps): a sample's input [C, H*W] is already the GEMM's B and its output [O, H*W] its C.
    /// </summary>
    internal static bool IsPointwiseOnPlanes(in Conv2dGeometry g)
        => g.Groups == 1 && Conv2d.IsPointwise(g) && (long)g.OutHeight * g.OutWidth >= MinPointwiseSpatial;

    /// <summary>
    /// <see cref="IsPointwiseOnPlanes"/>: per sample, y_n = act(W x_n + bias + residual_n) by one GEMM with its epilogue
    /// straight into y (a ReLU in its registers, another activation in one pass over the sample afterwards), so neither the lowering into panels nor the copy out of a block's product is needed (with 196
    /// positions a sample already fills three of the micro-kernel's 64-column panels; the positions past its whole panels
    /// run for all samples in one product first, <see cref="RaggedColumns"/>). Samples run in parallel when
    /// there are at least as many as workers, otherwise one after another, each parallel inside; the same blocked GEMM
    /// and epilogue either way, so results are bit-identical to the batched path and do not depend on the thread count.
    /// </summary>
    private static void ForwardPointwisePerSample(in Conv2dGeometry g, float* x, float* w, float* bias, float* residual, in FusedActivation activation, float* y)
    {
        int inChannels = g.InChannels, outChannels = g.OutChannels, spatial = g.OutHeight * g.OutWidth;
        FusedActivation act = activation;
        // A ReLU is applied in the micro-kernel's registers; another activation over the whole sample once its GEMM is done
        // (one pass over O*H*W floats still in L2, not one call per stored tile row: mobilenet's five 14x14 HardSwish
        // convolutions 2.23 -> 1.82 ms, medians of three interleaved profile runs). The same operations in the same order.
        bool afterGemm = activation.IsActive && activation.Kind != FusedActivationKind.Relu;
        FusedActivation inGemm = afterGemm ? FusedActivation.None : activation;
        // The positions past the last whole panel of every sample run first, side by side in one product (RaggedColumns);
        // each sample's own product then covers only whole panels.
        int ragged = RaggedColumns(g);
        if (ragged > 0) MultiplyRaggedColumns(false, outChannels, inChannels, w, inChannels, x, y, g.Batch, spatial, ragged, bias, residual, inGemm);
        int columns = spatial - ragged;
        long workPerSample = 2L * outChannels * spatial * inChannels;
        bool sampleParallel = g.Batch >= KernelParallel.MaxDegree && KernelParallel.ChunkCount(g.Batch, workPerSample) > 1;
        void Samples(int first, int end, bool parallel)
        {
            for (int n = first; n < end; n++)
            {
                long inAt = (long)n * inChannels * spatial, outAt = (long)n * outChannels * spatial;
                var epilogue = new GemmEpilogue(bias, residual == null ? null : residual + outAt, inGemm);
                Sgemm.Multiply(false, false, outChannels, columns, inChannels, 1f, new ReadOnlySpan<float>(w, outChannels * inChannels), inChannels,
                    new ReadOnlySpan<float>(x + inAt, inChannels * spatial), spatial, 0f, new Span<float>(y + outAt, outChannels * spatial), spatial, parallel, epilogue);
                if (afterGemm) ResidualActivation.Apply(y + outAt, null, act, y + outAt, outChannels * spatial);
            }
        }
        if (sampleParallel) KernelParallel.For(g.Batch, workPerSample, (first, end) => Samples(first, end, parallel: false));
        else Samples(0, g.Batch, parallel: true);
    }

    /// <summary>
    /// Positions per sample that <see cref="ForwardPointwisePerSample"/> gathers from every sample into one product: those
    /// past the sample's last whole panel of the micro-kernel (196 = 3 x 64 + 4 at 14x14, 784 = 12 x 64 + 16 at 28x28), or
    /// 0. Alone, a sample's last few columns run a 16-column tile over the whole depth at a third of a whole panel's cost
    /// (its six rows' chains wait on the multiply-add latency); eight samples' 4 columns side by side are a 32-column tile.
    /// In-process A/B, the whole convolution at 14x14: resnet50's 1024->256 1.13-1.16x at one thread and 1.09-1.10x at two,
    /// mobilenet_v3's 1.04-1.16x and 1.02-1.09x; at 28x28 level. Only where both products take the blocked path (every
    /// element the same depth-blocked chain either way, so a sample's result does not depend on its batch) and with at
    /// least two samples.
    /// </summary>
    internal static int RaggedColumns(in Conv2dGeometry g) => RaggedColumnsOf(g, g.OutChannels, g.InChannels);

    /// <summary><see cref="RaggedColumns(in Conv2dGeometry)"/> for the input gradient's products (W^T dy_n: input channels by output channels).</summary>
    internal static int RaggedDataColumns(in Conv2dGeometry g) => RaggedColumnsOf(g, g.InChannels, g.OutChannels);

    private static int RaggedColumnsOf(in Conv2dGeometry g, int rows, int depth)
    {
        int spatial = g.OutHeight * g.OutWidth, ragged = spatial % Sgemm.NR;
        if (ragged == 0 || g.Batch < 2) return 0;
        return Sgemm.IsSmall(rows, spatial - ragged, depth) || Sgemm.IsSmall(rows, g.Batch * ragged, depth) ? 0 : ragged;
    }

    /// <summary>
    /// The last <paramref name="ragged"/> columns of every sample's product C_n = op(A) B_n (B_n: <paramref name="depth"/> x
    /// spatial at <paramref name="b"/> + n * depth * spatial; C_n and the residual: <paramref name="rows"/> x spatial at
    /// n * rows * spatial): the columns of B gathered side by side (and the residual's), one GEMM with the per-sample
    /// products' epilogue (bias after the first depth block, residual and ReLU after the last), the result scattered back
    /// into C. An activation other than ReLU is left to the caller's pass over the whole sample. Parallel inside the GEMM.
    /// </summary>
    internal static void MultiplyRaggedColumns(bool transA, int rows, int depth, float* a, int lda, float* b, float* c, int batch, int spatial, int ragged,
        float* bias, float* residual, in FusedActivation inGemm)
    {
        int first = spatial - ragged, columns = checked(batch * ragged);
        int gatheredLength = checked(depth * columns), productLength = checked(rows * columns);
        float[] inputArray = ScratchBuffer.Shared.Rent(gatheredLength);
        float[] outputArray = ScratchBuffer.Shared.Rent(residual == null ? productLength : checked(2 * productLength));
        try
        {
            fixed (float* gathered = inputArray, product = outputArray)
            {
                float* gatheredResidual = residual == null ? null : product + productLength;
                GatherColumns(b, batch, depth, spatial, first, ragged, gathered);
                if (residual != null) GatherColumns(residual, batch, rows, spatial, first, ragged, gatheredResidual);
                var epilogue = new GemmEpilogue(bias, gatheredResidual, inGemm);
                Sgemm.Multiply(transA, false, rows, columns, depth, 1f, new ReadOnlySpan<float>(a, rows * depth), lda,
                    new ReadOnlySpan<float>(gathered, gatheredLength), columns, 0f, new Span<float>(product, productLength), columns, parallel: true, epilogue);
                for (int n = 0; n < batch; n++)
                    for (int r = 0; r < rows; r++)
                        ShortCopy.Apply(product + (long)r * columns + n * ragged, c + ((long)n * rows + r) * spatial + first, ragged);
            }
        }
        finally
        {
            ScratchBuffer.Shared.Return(outputArray);
            ScratchBuffer.Shared.Return(inputArray);
        }
    }

    /// <summary>Columns [first, first + count) of every plane of [batch, channels, spatial] into [channels, batch * count] (sample-major within a row).</summary>
    private static void GatherColumns(float* source, int batch, int channels, int spatial, int first, int count, float* gathered)
    {
        int columns = batch * count;
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
                ShortCopy.Apply(source + ((long)n * channels + c) * spatial + first, gathered + (long)c * columns + n * count, count);
    }

    /// <summary>
    /// <see cref="IsPointwiseOnPoints"/>: y rows filled with the bias, then y += x w^T (C filled with the bias and
    /// multiplied with beta = 1, as the GEMM epilogue's bias; by <see cref="ShortGemm"/>, which reads the weights as
    /// stored, or the GEMM for depths under one vector), then the residual and activation over y.
    /// </summary>
    private static void ForwardOnPoints(in Conv2dGeometry g, float* x, float* w, float* bias, float* residual, in FusedActivation activation, float* y)
    {
        int batch = g.Batch, inChannels = g.InChannels, outChannels = g.OutChannels;
        var output = new Span<float>(y, batch * outChannels);
        if (bias != null)
        {
            var row = new ReadOnlySpan<float>(bias, outChannels);
            for (int n = 0; n < batch; n++) row.CopyTo(output.Slice(n * outChannels, outChannels));
        }
        var input = new ReadOnlySpan<float>(x, batch * inChannels);
        var weights = new ReadOnlySpan<float>(w, outChannels * inChannels);
        // The weights read as stored, unpacked (for a batch of up to eight, once); chosen by the weights' shape alone, so a sample's result does not depend on its batch.
        if (ShortGemm.Applies(false, true, batch, outChannels, inChannels))
            ShortGemm.Multiply(batch, outChannels, inChannels, 1f, input, inChannels, weights, inChannels, bias != null ? 1f : 0f, output, outChannels);
        else
            Sgemm.Multiply(false, true, batch, outChannels, inChannels, 1f, input, inChannels, weights, inChannels, bias != null ? 1f : 0f, output, outChannels, parallel: true);
        if (residual != null || activation.IsActive) ResidualActivation.Apply(y, residual, activation, y, batch * outChannels);
    }

    /// <summary>Blocks [<paramref name="firstBlock"/>, <paramref name="endBlock"/>) of <see cref="Forward"/>, each parallel inside when <paramref name="parallel"/>.</summary>
    private static void ForwardBlocks(in Conv2dGeometry g, float* x, float* w, float* bias, float* residual, in FusedActivation activation, float* y,
        int firstBlock, int endBlock, bool parallel)
    {
        Conv2dGeometry geometry = g;
        FusedActivation act = activation;
        int groupIn = g.GroupInChannels, groupOut = g.GroupOutChannels, kernelSize = groupIn * g.KernelHeight * g.KernelWidth;
        int spatial = g.OutHeight * g.OutWidth, inPlane = g.InHeight * g.InWidth, block = SamplesPerBlock(g);
        int packedLength = checked((int)SgemmPack.PrepackedLength(kernelSize, block * spatial, Sgemm.NR));
        float[] colArray = ScratchBuffer.Shared.Rent(packedLength);
        float[] accArray = ScratchBuffer.Shared.Rent(groupOut * block * spatial);
        try
        {
            fixed (float* pcol = colArray, pacc = accArray)
            {
                float* col = pcol, acc = pacc;
                for (int b = firstBlock; b < endBlock; b++)
                {
                    int n0 = b * block, count = Math.Min(block, g.Batch - n0), columns = count * spatial, first = n0;
                    for (int group = 0; group < g.Groups; group++)
                    {
                        int grp = group;
                        var weights = new ReadOnlySpan<float>(w + (long)group * groupOut * kernelSize, groupOut * kernelSize);
                        var output = new Span<float>(acc, groupOut * columns);
                        var epilogue = new GemmEpilogue(bias == null ? null : bias + group * groupOut, null, FusedActivation.None);
                        if (Sgemm.IsSmall(groupOut, columns, kernelSize))
                        {
                            // Too small for packed panels (squeeze-excitation's 1x1 maps): plain rows and the unpacked GEMM.
                            KernelParallel.For(kernelSize, parallel ? columns : 0, (start, end) =>
                            {
                                for (int row = start; row < end; row++)
                                    for (int j = 0; j < count; j++)
                                        Im2Col.LowerRow(geometry, row, x + ((long)(first + j) * geometry.InChannels + grp * groupIn) * inPlane, col + (long)row * columns + j * spatial);
                            });
                            Sgemm.Multiply(false, false, groupOut, columns, kernelSize, 1f, weights, kernelSize,
                                new ReadOnlySpan<float>(col, kernelSize * columns), columns, 0f, output, columns, parallel, epilogue);
                        }
                        else
                        {
                            // The block's column matrices, side by side, written straight into the GEMM's panel layout.
                            Im2Col.LowerPrepacked(g, groupIn, x + ((long)first * g.InChannels + group * groupIn) * inPlane, col, parallel,
                                samples: count, sampleStride: (long)g.InChannels * inPlane);
                            Sgemm.MultiplyPrepacked(false, groupOut, columns, kernelSize, 1f, weights, kernelSize,
                                new ReadOnlySpan<float>(col, checked((int)SgemmPack.PrepackedLength(kernelSize, columns, Sgemm.NR))), 0f,
                                output, columns, parallel, epilogue);
                        }
                        KernelParallel.For(count * groupOut, parallel ? spatial : 0, (start, end) =>
                        {
                            for (int i = start; i < end; i++)
                            {
                                int j = i / groupOut, o = i % groupOut;
                                long at = ((long)(first + j) * geometry.OutChannels + grp * groupOut + o) * spatial;
                                ResidualActivation.Apply(acc + (long)o * columns + j * spatial, residual == null ? null : residual + at, act, y + at, spatial);
                            }
                        });
                    }
                }
            }
        }
        finally
        {
            ScratchBuffer.Shared.Return(accArray);
            ScratchBuffer.Shared.Return(colArray);
        }
    }

    /// <summary>
    /// dx = conv^T(dy, w) (overwrites dx): per block of samples, the output gradient laid side by side and packed into
    /// GEMM panels, then the column matrix made and scattered a chunk of channels at a time (<see cref="Conv2dColumnGradient"/>).
    /// </summary>
    public static void BackwardData(in Conv2dGeometry g, float* dy, float* w, float* dx) => BackwardData(g, dy, w, dx, Conv2dColumnGradient.ChunkFloats);

    /// <summary><see cref="BackwardData(in Conv2dGeometry, float*, float*, float*)"/> with chunks of about <paramref name="chunkFloats"/> column-matrix floats (tests and benchmarks vary it).</summary>
    internal static void BackwardData(in Conv2dGeometry g, float* dy, float* w, float* dx, int chunkFloats)
    {
        Conv2dGeometry geometry = g;
        int groupIn = g.GroupInChannels, groupOut = g.GroupOutChannels, kernelArea = g.KernelHeight * g.KernelWidth;
        int kernelSize = groupIn * kernelArea, spatial = g.OutHeight * g.OutWidth, inPlane = g.InHeight * g.InWidth, block = SamplesPerBlock(g);
        int blockColumns = block * spatial, chunkChannels = Conv2dColumnGradient.ChunkChannels(g, blockColumns, chunkFloats);
        float[] colArray = ScratchBuffer.Shared.Rent(chunkChannels * kernelArea * blockColumns);
        float[] gradArray = ScratchBuffer.Shared.Rent(groupOut * blockColumns);
        float[] packedArray = ScratchBuffer.Shared.Rent(checked((int)SgemmPack.PrepackedLength(groupOut, blockColumns, Sgemm.NR)));
        try
        {
            fixed (float* pcol = colArray, pgrad = gradArray, ppacked = packedArray)
            {
                float* grad = pgrad;
                for (int n0 = 0; n0 < g.Batch; n0 += block)
                {
                    int count = Math.Min(block, g.Batch - n0), columns = count * spatial, first = n0;
                    for (int group = 0; group < g.Groups; group++)
                    {
                        int grp = group;
                        KernelParallel.For(count * groupOut, spatial, (start, end) =>
                        {
                            for (int i = start; i < end; i++)
                            {
                                int j = i / groupOut, o = i % groupOut;
                                new ReadOnlySpan<float>(dy + ((long)(first + j) * geometry.OutChannels + grp * groupOut + o) * spatial, spatial).CopyTo(
                                    new Span<float>(grad + (long)o * columns + j * spatial, spatial));
                            }
                        });
                        Conv2dColumnGradient.PackPanels(grad, columns, groupOut, columns, ppacked);
                        Conv2dColumnGradient.Raise(g, w + (long)group * groupOut * kernelSize, ppacked, count,
                            dx + ((long)first * g.InChannels + group * groupIn) * inPlane, (long)g.InChannels * inPlane, pcol, chunkChannels, parallel: true);
                    }
                }
            }
        }
        finally
        {
            ScratchBuffer.Shared.Return(packedArray);
            ScratchBuffer.Shared.Return(gradArray);
            ScratchBuffer.Shared.Return(colArray);
        }
    }

    /// <summary>
    /// Output positions per sample below which the weight gradient is batched: a per-sample GEMM's depth is the map's
    /// positions, and at resnet's 2x2 maps (depth 4) storing each C tile cost more than its multiply-adds (batched: 2.1x
    /// at 2x2, b256, 3x3 512 channels), while from 4x4 up the per-sample GEMMs measured as fast or 5-15% faster.
    /// </summary>
    public const int MaxFilterSpatial = 15;

    /// <summary>True when <see cref="BackwardFilter"/> takes the batched path (chosen by geometry only).</summary>
    public static bool FilterApplies(in Conv2dGeometry g) => Applies(g) && (long)g.OutHeight * g.OutWidth <= MaxFilterSpatial;

    /// <summary>
    /// dw = sum over samples of dy * col(x)^T (overwrites dw): per block of samples one GEMM whose depth runs over the
    /// block's positions side by side, instead of one GEMM of depth OH*OW (4 at a 2x2 map) per sample. Each dw element is
    /// summed over blocks in order and, within a block, over the depth in the GEMM's fixed order, for any thread count.
    /// </summary>
    public static void BackwardFilter(in Conv2dGeometry g, float* x, float* dy, float* dw)
    {
        Conv2dGeometry geometry = g;
        int groupIn = g.GroupInChannels, groupOut = g.GroupOutChannels, kernelSize = groupIn * g.KernelHeight * g.KernelWidth;
        int spatial = g.OutHeight * g.OutWidth, inPlane = g.InHeight * g.InWidth, block = SamplesPerBlock(g);
        float[] colArray = ScratchBuffer.Shared.Rent(kernelSize * block * spatial);
        float[] gradArray = ScratchBuffer.Shared.Rent(groupOut * block * spatial);
        try
        {
            fixed (float* pcol = colArray, pgrad = gradArray)
            {
                float* col = pcol, grad = pgrad;
                for (int n0 = 0; n0 < g.Batch; n0 += block)
                {
                    int count = Math.Min(block, g.Batch - n0), columns = count * spatial, first = n0;
                    for (int group = 0; group < g.Groups; group++)
                    {
                        int grp = group;
                        KernelParallel.For(kernelSize, columns, (start, end) =>
                        {
                            for (int row = start; row < end; row++)
                                for (int j = 0; j < count; j++)
                                    Im2Col.LowerRow(geometry, row, x + ((long)(first + j) * geometry.InChannels + grp * groupIn) * inPlane, col + (long)row * columns + j * spatial);
                        });
                        KernelParallel.For(count * groupOut, spatial, (start, end) =>
                        {
                            for (int i = start; i < end; i++)
                            {
                                int j = i / groupOut, o = i % groupOut;
                                new ReadOnlySpan<float>(dy + ((long)(first + j) * geometry.OutChannels + grp * groupOut + o) * spatial, spatial).CopyTo(
                                    new Span<float>(grad + (long)o * columns + j * spatial, spatial));
                            }
                        });
                        Sgemm.Multiply(false, true, groupOut, kernelSize, columns, 1f,
                            new ReadOnlySpan<float>(grad, groupOut * columns), columns,
                            new ReadOnlySpan<float>(col, kernelSize * columns), columns,
                            n0 == 0 ? 0f : 1f, new Span<float>(dw + (long)group * groupOut * kernelSize, groupOut * kernelSize), kernelSize, parallel: true);
                    }
                }
            }
        }
        finally
        {
            ScratchBuffer.Shared.Return(gradArray);
            ScratchBuffer.Shared.Return(colArray);
        }
    }

    private static int SamplesPerBlock(in Conv2dGeometry g)
        => Math.Clamp(BlockColumns / Math.Max(1, g.OutHeight * g.OutWidth), 1, g.Batch);
}
