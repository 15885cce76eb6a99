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
}
