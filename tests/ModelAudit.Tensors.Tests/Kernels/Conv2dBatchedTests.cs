using ModelAudit.Tensors.Kernels;
using FusedActivation = ModelAudit.Tensors.Operations.FusedActivation;

namespace ModelAudit.Tensors.Tests.Kernels;

/// <summary>
/// The batched small-map path (its values against float64 loops are in <see cref="Conv2dTests"/>, whose batch-2
/// cases take it): against per-sample calls, and at one and two threads.
/// </summary>
[Collection(KernelParallelCollection.Name)]
public class Conv2dBatchedTests
{
    // 7x7 maps (49 positions: 10 samples per block, so a batch of 13 makes a full and a partial block), 2 groups, stride 2.
    private static readonly Conv2dGeometry Geometry = new(13, 8, 13, 13, 12, 3, 3, StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 2);

    [Fact]
    public void ForwardAndBackwardData_BatchedVersusPerSample_Close()
    {
        Conv2dGeometry g = Geometry, single = g with { Batch = 1 };
        Assert.True(Conv2dBatched.Applies(g));
        Assert.False(Conv2dBatched.Applies(single));
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), 1), w = KernelAssert.Random((int)Conv2d.WeightLength(g), 2);
        float[] bias = KernelAssert.Random(g.OutChannels, 3), dy = KernelAssert.Random((int)Conv2d.OutputLength(g), 4);
        var y = new float[dy.Length];
        var dx = new float[x.Length];
        Conv2d.Forward(g, x, w, bias, y);
        Conv2d.BackwardData(g, dy, w, dx);
        int inSample = (int)Conv2d.InputLength(single), outSample = (int)Conv2d.OutputLength(single);
        for (int n = 0; n < g.Batch; n++)
        {
            var ySample = new float[outSample];
            var dxSample = new float[inSample];
            Conv2d.Forward(single, x.AsSpan(n * inSample, inSample), w, bias, ySample);
            Conv2d.BackwardData(single, dy.AsSpan(n * outSample, outSample), w, dxSample);
            // Both are one K-ordered float dot product per element; the GEMM's blocking may differ with the
            // column count, so agreement is to float rounding of a 36-term sum, not bitwise.
            KernelAssert.Close(ySample.Select(v => (double)v).ToArray(), y.AsSpan(n * outSample, outSample).ToArray(), 1e-5);
            KernelAssert.Close(dxSample.Select(v => (double)v).ToArray(), dx.AsSpan(n * inSample, inSample).ToArray(), 1e-5);
        }
    }

    /// <summary>
    /// The block's column matrices written straight into packed panels (panels of 48 columns straddle the 49-position
    /// samples) against plain side-by-side column matrices, the bias filled in and the packing GEMM: the same sums.
    /// </summary>
    [Fact]
    public unsafe void Forward_PackedBlockVersusPlainColumns_BitIdentical()
    {
        Conv2dGeometry g = Geometry with { Groups = 1, Batch = 10 };
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), 11), w = KernelAssert.Random((int)Conv2d.WeightLength(g), 12);
        float[] bias = KernelAssert.Random(g.OutChannels, 13);
        var y = new float[Conv2d.OutputLength(g)];
        // Directly: Conv2d.Forward sends this geometry (no extra columns) to Conv2dShiftedRows.
        fixed (float* px = x, pw = w, pb = bias, py = y)
            Conv2dBatched.Forward(g, px, pw, pb, null, FusedActivation.None, py);

        int kernelSize = g.InChannels * g.KernelHeight * g.KernelWidth, spatial = g.OutHeight * g.OutWidth, columns = g.Batch * spatial;
        int inSample = g.InChannels * g.InHeight * g.InWidth;
        var col = new float[kernelSize * columns];
        fixed (float* px = x, pcol = col)
        {
            for (int row = 0; row < kernelSize; row++)
                for (int n = 0; n < g.Batch; n++) Im2Col.LowerRow(g, row, px + n * inSample, pcol + row * columns + n * spatial);
        }
        var acc = new float[g.OutChannels * columns];
        for (int o = 0; o < g.OutChannels; o++) acc.AsSpan(o * columns, columns).Fill(bias[o]);
        Assert.False(Sgemm.IsSmall(g.OutChannels, columns, kernelSize));
        Sgemm.Multiply(false, false, g.OutChannels, columns, kernelSize, 1f, w, kernelSize, col, columns, 1f, acc, columns);
        for (int n = 0; n < g.Batch; n++)
            for (int o = 0; o < g.OutChannels; o++)
                Assert.Equal(acc.AsSpan(o * columns + n * spatial, spatial).ToArray(), y.AsSpan((n * g.OutChannels + o) * spatial, spatial).ToArray());
    }

    /// <summary>
    /// A pointwise convolution on 14x14 maps (one GEMM per sample straight into y, its epilogue adding bias and residual
    /// and applying HardSwish) against the blocks of samples side by side with the copy out: the same blocked GEMM sums
    /// (depth 40 and 300, past one depth block) and the same epilogue operations, bit for bit, at one and two threads.
    /// </summary>
    [Theory]
    [InlineData(40)]
    [InlineData(300)]
    public unsafe void Forward_PointwisePerSampleVersusBlocks_BitIdentical(int inChannels)
    {
        var g = new Conv2dGeometry(5, inChannels, 14, 14, 24, 1, 1);
        Assert.True(Conv2dBatched.Applies(g) && Conv2dBatched.IsPointwiseOnPlanes(g));
        Assert.False(Conv2dBatched.IsPointwiseOnPlanes(g with { InHeight = 7, InWidth = 7 }));
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), 21), w = KernelAssert.Random((int)Conv2d.WeightLength(g), 22);
        float[] bias = KernelAssert.Random(g.OutChannels, 23), residual = KernelAssert.Random((int)Conv2d.OutputLength(g), 24, -4, 4);
        var hardSwish = new FusedActivation(ModelAudit.Tensors.Operations.FusedActivationKind.GatedHardSigmoid, 1f / 6, 0.5f);
        float[] Run(bool blocks, int threads) => KernelAssert.WithThreads(threads, () =>
        {
            var y = new float[Conv2d.OutputLength(g)];
            fixed (float* px = x, pw = w, pb = bias, pr = residual, py = y)
            {
                if (blocks) Conv2dBatched.ForwardInBlocks(g, px, pw, pb, pr, hardSwish, py);
                else Conv2dBatched.Forward(g, px, pw, pb, pr, hardSwish, py);
            }
            return y;
        });
        int[] expected = [.. Run(blocks: true, 1).Select(BitConverter.SingleToInt32Bits)];
        Assert.Equal(expected, Run(blocks: false, 1).Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(expected, Run(blocks: false, 2).Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>
    /// The positions past a sample's last whole 64-column panel (4 at 14x14, 16 at 28x28) run for the whole batch in one
    /// product, side by side: each sample's output is still bit for bit what the sample alone gives (batch 1, where every
    /// position is in its own product), with bias, residual and ReLU in the GEMM's epilogue or HardSwish after it, depth
    /// 300 past one depth block, at one and two threads.
    /// </summary>
    [Theory]
    [InlineData(14, false)]
    [InlineData(14, true)]
    [InlineData(28, false)]
    public unsafe void Forward_PointwiseRaggedColumnsOfTheBatch_BitIdenticalToEachSampleAlone(int size, bool hardSwish)
    {
        var g = new Conv2dGeometry(6, 300, size, size, 70, 1, 1);
        var one = g with { Batch = 1 };
        Assert.Equal(size * size % 64, Conv2dBatched.RaggedColumns(g));
        Assert.Equal(0, Conv2dBatched.RaggedColumns(one));
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), 31), w = KernelAssert.Random((int)Conv2d.WeightLength(g), 32);
        float[] bias = KernelAssert.Random(g.OutChannels, 33), residual = KernelAssert.Random((int)Conv2d.OutputLength(g), 34, -4, 4);
        var activation = hardSwish
            ? new FusedActivation(ModelAudit.Tensors.Operations.FusedActivationKind.GatedHardSigmoid, 1f / 6, 0.5f)
            : FusedActivation.Relu;
        long inSample = Conv2d.InputLength(one), outSample = Conv2d.OutputLength(one);
        var alone = new float[Conv2d.OutputLength(g)];
        fixed (float* px = x, pw = w, pb = bias, pr = residual, py = alone)
        {
            for (int n = 0; n < g.Batch; n++)
                Conv2dBatched.Forward(one, px + n * inSample, pw, pb, pr + n * outSample, activation, py + n * outSample);
        }
        float[] Run(int threads) => KernelAssert.WithThreads(threads, () =>
        {
            var y = new float[Conv2d.OutputLength(g)];
            fixed (float* px = x, pw = w, pb = bias, pr = residual, py = y) Conv2dBatched.Forward(g, px, pw, pb, pr, activation, py);
            return y;
        });
        int[] expected = [.. alone.Select(BitConverter.SingleToInt32Bits)];
        Assert.Equal(expected, Run(1).Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(expected, Run(2).Select(BitConverter.SingleToInt32Bits));
        Assert.Contains(alone, v => v == 0f);
    }

    /// <summary>
    /// A 1x1 stride-2 convolution on maps small enough to batch (resnet50's downsample to 14x14 and 7x7) takes the batched
    /// lowering, not the shifted rows: the same K-ordered sums (depth 300, past one GEMM depth block), so the same bits
    /// with bias, residual and ReLU, at one and two threads; to a 28x28 map it takes neither (<see cref="Conv2dSubsampled"/>).
    /// </summary>
    [Theory]
    [InlineData(14)]
    [InlineData(28)]
    public void Forward_StridedPointwiseSmallMaps_BatchedBitIdenticalToShiftedRows(int inSize)
    {
        var g = new Conv2dGeometry(5, 300, inSize, inSize, 24, 1, 1, StrideH: 2, StrideW: 2);
        Assert.True(Conv2dBatched.Applies(g) && Conv2dShiftedRows.Applies(g));
        Assert.False(Conv2d.TakesShiftedRows(g));
        Assert.False(Conv2d.TakesShiftedRows(g with { InHeight = 56, InWidth = 56 }));
        Assert.True(Conv2dSubsampled.Applies(g with { InHeight = 56, InWidth = 56 }));
        KernelAssert.ForwardMatchesShiftedRows(g, FusedActivation.Relu, 41);
    }

    /// <summary>
    /// The input gradient of a pointwise convolution on 14x14 maps (one GEMM per sample, W^T dy_n straight into dx_n)
    /// against the blocks of samples side by side, packed and scattered: the same blocked GEMM sums over the output
    /// channels (depth 24 and 300, past one depth block), bit for bit, at one and two threads.
    /// </summary>
    [Theory]
    [InlineData(24)]
    [InlineData(300)]
    public unsafe void BackwardData_PointwisePerSampleVersusBlocks_BitIdentical(int outChannels)
    {
        var g = new Conv2dGeometry(5, 40, 14, 14, outChannels, 1, 1);
        Assert.True(Conv2dBatched.Applies(g) && Conv2dBatched.IsPointwiseOnPlanes(g));
        float[] dy = KernelAssert.Random((int)Conv2d.OutputLength(g), 31), w = KernelAssert.Random((int)Conv2d.WeightLength(g), 32);
        float[] Run(bool blocks, int threads) => KernelAssert.WithThreads(threads, () =>
        {
            var dx = new float[Conv2d.InputLength(g)];
            if (blocks)
            {
                fixed (float* pdy = dy, pw = w, pdx = dx) Conv2dBatched.BackwardData(g, pdy, pw, pdx);
            }
            else
            {
                Conv2d.BackwardData(g, dy, w, dx);
            }
            return dx;
        });
        int[] expected = [.. Run(blocks: true, 1).Select(BitConverter.SingleToInt32Bits)];
        Assert.Equal(expected, Run(blocks: false, 1).Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(expected, Run(blocks: false, 2).Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>
    /// The input gradient's positions past a sample's last whole panel run for the whole batch in one product, as in the
    /// forward: each sample's dx still bit for bit what the sample alone gives (batch 1), depth 300 past one depth block,
    /// at one and two threads; with too little work for the blocked GEMM (8 input channels) the batch is not gathered.
    /// </summary>
    [Theory]
    [InlineData(14)]
    [InlineData(28)]
    public void BackwardData_PointwiseRaggedColumnsOfTheBatch_BitIdenticalToEachSampleAlone(int size)
    {
        var g = new Conv2dGeometry(6, 70, size, size, 300, 1, 1);
        var one = g with { Batch = 1 };
        Assert.Equal(size * size % 64, Conv2dBatched.RaggedDataColumns(g));
        Assert.Equal(0, Conv2dBatched.RaggedDataColumns(one));
        Assert.Equal(0, Conv2dBatched.RaggedDataColumns(g with { InChannels = 8, OutChannels = 5 }));
        float[] dy = KernelAssert.Random((int)Conv2d.OutputLength(g), 41), w = KernelAssert.Random((int)Conv2d.WeightLength(g), 42);
        int inSample = (int)Conv2d.InputLength(one), outSample = (int)Conv2d.OutputLength(one);
        var alone = new float[Conv2d.InputLength(g)];
        for (int n = 0; n < g.Batch; n++) Conv2d.BackwardData(one, dy.AsSpan(n * outSample, outSample), w, alone.AsSpan(n * inSample, inSample));
        float[] Run(int threads) => KernelAssert.WithThreads(threads, () =>
        {
            var dx = new float[Conv2d.InputLength(g)];
            Conv2d.BackwardData(g, dy, w, dx);
            return dx;
        });
        int[] expected = [.. alone.Select(BitConverter.SingleToInt32Bits)];
        Assert.Equal(expected, Run(1).Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(expected, Run(2).Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>
    /// Squeeze-excitation's 1x1 convolutions on 1x1 maps, batch 8 and 9 (<see cref="ShortGemm"/>): y = x w^T + bias against
    /// float64, within 1e-5 of the sum of |terms| (float32 sums of 150 products of [-1, 1] values, in another order than
    /// float64's), bit-identical at one and two threads, and each sample the same as in a batch of one.
    /// </summary>
    [Theory]
    [InlineData(8)]
    [InlineData(9)]
    public unsafe void Forward_PointwiseOnPoints_MatchesFloat64(int batch)
    {
        var g = new Conv2dGeometry(batch, 150, 1, 1, 37, 1, 1);
        Assert.True(Conv2dBatched.IsPointwiseOnPoints(g));
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), 41), w = KernelAssert.Random((int)Conv2d.WeightLength(g), 42);
        float[] bias = KernelAssert.Random(g.OutChannels, 43);
        float[] Run(int threads) => KernelAssert.WithThreads(threads, () =>
        {
            var y = new float[Conv2d.OutputLength(g)];
            Conv2d.Forward(g, x, w, bias, y);
            return y;
        });
        float[] one = Run(1);
        Assert.Equal(one.Select(BitConverter.SingleToInt32Bits), Run(2).Select(BitConverter.SingleToInt32Bits));
        var single = g with { Batch = 1 };
        var last = new float[g.OutChannels];
        Conv2d.Forward(single, x.AsSpan((batch - 1) * g.InChannels, g.InChannels), w, bias, last);
        Assert.Equal(last.Select(BitConverter.SingleToInt32Bits), one.Skip((batch - 1) * g.OutChannels).Select(BitConverter.SingleToInt32Bits));
        for (int n = 0; n < batch; n++)
            for (int o = 0; o < g.OutChannels; o++)
            {
                double sum = bias[o], magnitude = Math.Abs(bias[o]);
                for (int c = 0; c < g.InChannels; c++)
                {
                    sum += (double)x[n * g.InChannels + c] * w[o * g.InChannels + c];
                    magnitude += Math.Abs((double)x[n * g.InChannels + c] * w[o * g.InChannels + c]);
                }
                Assert.True(Math.Abs(sum - one[n * g.OutChannels + o]) <= 1e-5 * magnitude, $"y[{n}, {o}] = {one[n * g.OutChannels + o]}, expected {sum}");
            }
    }

    [Fact]
    public void ForwardAndBackwardData_OneVersusTwoThreads_BitIdentical()
    {
        Conv2dGeometry g = Geometry with { Batch = 24, InChannels = 32, OutChannels = 64 };
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), 5), w = KernelAssert.Random((int)Conv2d.WeightLength(g), 6);
        float[] bias = KernelAssert.Random(g.OutChannels, 7), dy = KernelAssert.Random((int)Conv2d.OutputLength(g), 8);

        (float[] Y, float[] Dx) Run(int threads)
        {
            int before = KernelParallel.MaxDegree;
            KernelParallel.MaxDegree = threads;
            try
            {
                var y = new float[dy.Length];
                var dx = new float[x.Length];
                Conv2d.Forward(g, x, w, bias, y);
                Conv2d.BackwardData(g, dy, w, dx);
                return (y, dx);
            }
            finally
            {
                KernelParallel.MaxDegree = before;
            }
        }

        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Y, two.Y);
        Assert.Equal(one.Dx, two.Dx);
    }

    /// <summary>
    /// Chunks split only the GEMM's rows (whole input channels), so one channel, a few, and all at once give the same
    /// bits; so do one thread (chunks in order, each GEMM parallel inside) and two or three (each worker a share of the
    /// channels, its chunks serial; 12 channels, or 6 per group, split 6/6, 4/4/4, 3/3, 2/2/2, with chunks of 3 that
    /// straddle a share's end).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void BackwardData_ChunkSizesAndThreads_BitIdentical(int groups)
    {
        Conv2dGeometry g = Geometry with { Batch = 12, InChannels = 12, OutChannels = 16, Groups = groups };
        float[] w = KernelAssert.Random((int)Conv2d.WeightLength(g), 21), dy = KernelAssert.Random((int)Conv2d.OutputLength(g), 22);
        int spatial = g.OutHeight * g.OutWidth, kernelArea = g.KernelHeight * g.KernelWidth;
        float[] Run(int chunkFloats, int threads) => KernelAssert.WithThreads(threads, () =>
        {
            var dx = KernelAssert.Random((int)Conv2d.InputLength(g), 23); // garbage: must be overwritten
            Conv2d.BackwardDataByColumns(g, dy, w, dx, chunkFloats);
            return dx;
        });

        float[] whole = Run(int.MaxValue, 1);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            Assert.Equal(whole, Run(int.MaxValue, threads));
            Assert.Equal(whole, Run(1, threads));
            Assert.Equal(whole, Run(3 * kernelArea * 10 * spatial, threads));
        }
    }

    [Fact]
    public void BackwardFilter_BatchedVersusPerSample_Close()
    {
        // 3x3 maps (9 positions: 56 samples per block, so a batch of 60 makes a full and a partial block), 2 groups, stride 2.
        Conv2dGeometry g = Geometry with { Batch = 60, InHeight = 6, InWidth = 5 };
        Assert.True(Conv2dBatched.FilterApplies(g));
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), 31), dy = KernelAssert.Random((int)Conv2d.OutputLength(g), 32);
        var perSample = new float[Conv2d.WeightLength(g)];
        var batched = KernelAssert.Random(perSample.Length, 33); // garbage: must be overwritten
        Conv2d.BackwardFilterPerSample(g, x, dy, perSample);
        Conv2d.BackwardFilter(g, x, dy, batched, []);
        // The same 60 x 9 products per element, summed per sample then across samples there and across the block's
        // positions here: float rounding of a 540-term sum of unit-scale values, far below 1e-5 of the largest.
        KernelAssert.Close(perSample, batched, 1e-5);
    }

    [Fact]
    public void BackwardFilter_OneVersusTwoThreads_BitIdentical()
    {
        Conv2dGeometry g = Geometry with { Batch = 70, InChannels = 32, OutChannels = 64, InHeight = 4, InWidth = 4 };
        Assert.True(Conv2dBatched.FilterApplies(g));
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), 34), dy = KernelAssert.Random((int)Conv2d.OutputLength(g), 35);

        float[] Run(int threads)
        {
            int before = KernelParallel.MaxDegree;
            KernelParallel.MaxDegree = threads;
            try
            {
                var dw = new float[Conv2d.WeightLength(g)];
                Conv2d.BackwardFilter(g, x, dy, dw, []);
                return dw;
            }
            finally
            {
                KernelParallel.MaxDegree = before;
            }
        }

        Assert.Equal(Run(1), Run(2));
    }
}
