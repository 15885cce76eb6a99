using System.Runtime.Intrinsics.X86;
using ModelAudit.Tensors.Kernels;
using Conv2d = ModelAudit.Tensors.Kernels.Conv2d;

namespace ModelAudit.Tensors.Tests.Kernels;

/// <summary>
/// The channels-in-lanes depthwise forward against the plane kernels (<see cref="DepthwiseConv2d.ForwardByPlanes"/>, whose
/// values against scalar chains are in <see cref="DepthwiseConv2dTests"/>): the same sums in the same order, so equal
/// bit for bit, over strides, dilations, uneven padding, channel counts around the 16 lanes, narrow and banded maps,
/// with bias, residual and activations, at one and two threads.
/// </summary>
[Collection(KernelParallelCollection.Name)]
public class DepthwiseChannelLanesTests
{
    [Theory]
    // channels, height, width, kernel h, kernel w, stride h, stride w, dilation, pad top, left, bottom, right
    [InlineData(16, 7, 7, 5, 5, 1, 1, 1, 2, 2, 2, 2)]
    [InlineData(17, 14, 14, 5, 5, 2, 2, 1, 2, 2, 2, 2)]
    [InlineData(2, 9, 11, 5, 5, 1, 1, 1, 2, 2, 2, 2)]
    [InlineData(15, 28, 28, 5, 5, 2, 2, 1, 2, 2, 2, 2)]
    [InlineData(33, 13, 40, 4, 4, 1, 1, 1, 0, 3, 1, 0)]
    [InlineData(20, 12, 19, 3, 7, 1, 2, 1, 1, 3, 1, 3)]
    [InlineData(18, 15, 15, 5, 5, 3, 1, 2, 4, 4, 4, 4)]
    [InlineData(16, 1, 1, 5, 5, 1, 1, 1, 2, 2, 2, 2)]
    [InlineData(24, 6, 21, 1, 16, 1, 1, 1, 0, 7, 0, 8)]
    [InlineData(5, 120, 120, 5, 5, 1, 1, 1, 2, 2, 2, 2)] // bands: one row of 120 columns takes 2,112 floats
    [InlineData(3, 31, 47, 7, 7, 2, 3, 1, 3, 0, 3, 6)]
    public void Forward_Geometries_BitIdenticalToPlaneKernels(int channels, int height, int width, int kernelH, int kernelW,
        int strideH, int strideW, int dilation, int padTop, int padLeft, int padBottom, int padRight)
    {
        var g = new Conv2dGeometry(3, channels, height, width, channels, kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight,
            dilation, dilation, channels);
        if (!Avx512F.IsSupported)
        {
            Assert.False(DepthwiseChannelLanes.Applies(g));
            return;
        }
        Assert.True(DepthwiseChannelLanes.Applies(g));
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), channels + height), w = KernelAssert.Random((int)Conv2d.WeightLength(g), 2);
        float[] bias = KernelAssert.Random(channels, 3), residual = KernelAssert.Random((int)Conv2d.OutputLength(g), 4);
        KernelAssert.ForwardBitIdentical(g, x, w, bias, residual, (b, r, activation) =>
        {
            var expected = new float[Conv2d.OutputLength(g)];
            DepthwiseConv2d.ForwardByPlanes(g, x, w, b, r, activation, expected);
            return expected;
        });
    }

    [Fact]
    public void Applies_ThreeByThreeWindow_False()
    {
        // With nine taps moving between layouts costs about what the taps do: the plane kernels keep 3x3 windows.
        var g = new Conv2dGeometry(8, 64, 56, 56, 64, 3, 3, 1, 1, 1, 1, 1, 1, Groups: 64);
        Assert.False(DepthwiseChannelLanes.Applies(g));
    }
}
