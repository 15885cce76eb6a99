using ModelAudit.Tensors.Kernels;
using FusedActivation = ModelAudit.Tensors.Operations.FusedActivation;

namespace ModelAudit.Tensors.Tests.Kernels;

/// <summary>
/// Strided 1x1 convolutions on maps too large to batch, run on the gathered input positions: which geometries take it,
/// and the same bits as the shifted rows (themselves checked against float64 loops in <see cref="Conv2dTests"/>).
/// </summary>
[Collection(KernelParallelCollection.Name)]
public class Conv2dSubsampledTests
{
    [Fact]
    public void Applies_StridedUnpaddedPointwiseOnLargeMaps_Only()
    {
        var g = new Conv2dGeometry(8, 256, 56, 56, 512, 1, 1, StrideH: 2, StrideW: 2);
        Assert.True(Conv2dSubsampled.Applies(g));
        Assert.True(Conv2dSubsampled.Applies(g with { Batch = 1, InHeight = 28, InWidth = 28 })); // 14x14, but one sample: not batched
        Assert.False(Conv2dSubsampled.Applies(g with { InHeight = 28, InWidth = 28 })); // 14x14 maps of 8 samples: batched
        Assert.False(Conv2dSubsampled.Applies(g with { StrideH = 1, StrideW = 1 }));
        Assert.False(Conv2dSubsampled.Applies(g with { PadTop = 1 }));
        Assert.False(Conv2dSubsampled.Applies(g with { KernelHeight = 3, KernelWidth = 3 }));
        Assert.False(Conv2dSubsampled.Applies(g with { Groups = 2, OutChannels = 256 }));
        Assert.False(Conv2dSubsampled.Applies(g with { Batch = 1, InHeight = 20, InWidth = 20 })); // 10x10: under 128 positions
    }

    /// <summary>
    /// Stride 2 on even and odd maps, 3 and (2, 1) (a last row or column the stride skips), depth 300 (past one GEMM depth
    /// block), with bias, residual and ReLU (applied in the GEMM's registers) or HardSwish (x * HardSigmoid(x), after
    /// it): bit for bit the shifted rows' result, at one and two threads, every output overwritten.
    /// </summary>
    [Theory]
    [InlineData(3, 34, 34, 2, 2, false)]
    [InlineData(2, 33, 35, 2, 2, true)]
    [InlineData(3, 52, 49, 3, 3, false)]
    [InlineData(1, 25, 24, 2, 1, true)]
    public void Forward_StridedPointwise_BitIdenticalToShiftedRows(int batch, int height, int width, int strideH, int strideW, bool hardSwish)
    {
        var g = new Conv2dGeometry(batch, 300, height, width, 20, 1, 1, StrideH: strideH, StrideW: strideW);
        Assert.True(Conv2dSubsampled.Applies(g) && Conv2dShiftedRows.Applies(g));
        var activation = hardSwish ? new FusedActivation(ModelAudit.Tensors.Operations.FusedActivationKind.GatedHardSigmoid, 1f / 6, 0.5f) : FusedActivation.Relu;
        KernelAssert.ForwardMatchesShiftedRows(g, activation, 51);
    }

    /// <summary>
    /// Blocks of samples (the gathered copy bounded, one or two samples a block here) give the bits of the whole batch in
    /// one block, ragged positions gathered per block, at one and two threads.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public unsafe void Forward_BlocksOfSamples_BitIdenticalToOneBlock(int threads)
    {
        var g = new Conv2dGeometry(5, 300, 34, 34, 20, 1, 1, StrideH: 2, StrideW: 2);
        long sampleFloats = Conv2d.InputLength(Conv2dSubsampled.Compact(g with { Batch = 1 }));
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), 61), w = KernelAssert.Random((int)Conv2d.WeightLength(g), 62);
        float[] bias = KernelAssert.Random(g.OutChannels, 63), residual = KernelAssert.Random((int)Conv2d.OutputLength(g), 64);
        float[] Run(long blockFloats) => KernelAssert.WithThreads(threads, () =>
        {
            var y = new float[Conv2d.OutputLength(g)];
            fixed (float* px = x, pw = w, pb = bias, pr = residual, py = y)
                Conv2dSubsampled.Forward(g, px, pw, pb, pr, FusedActivation.Relu, py, blockFloats);
            return y;
        });
        int[] expected = [.. Run(g.Batch * sampleFloats).Select(BitConverter.SingleToInt32Bits)];
        Assert.Equal(expected, Run(sampleFloats).Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(expected, Run(2 * sampleFloats).Select(BitConverter.SingleToInt32Bits));
    }
}
