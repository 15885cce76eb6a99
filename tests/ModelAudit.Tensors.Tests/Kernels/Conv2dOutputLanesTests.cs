using System.Runtime.Intrinsics.X86;
using ModelAudit.Tensors.Kernels;
using ModelAudit.Tensors.Operations;
using Conv2d = ModelAudit.Tensors.Kernels.Conv2d;

namespace ModelAudit.Tensors.Tests.Kernels;

/// <summary>
/// The stem kernel (output channels in lanes) against the im2col GEMM (<see cref="Conv2dBatched.ForwardInBlocks"/>,
/// whose values against float64 loops are in <see cref="Conv2dTests"/>): the same chain of fused multiply-adds over the
/// taps in (c, kh, kw) order plus the bias, so equal bit for bit, over strides, dilations, uneven padding, channel
/// counts around the 16 lanes, rows split into bands, with bias, residual and activations, at one and two threads.
/// </summary>
[Collection(KernelParallelCollection.Name)]
public class Conv2dOutputLanesTests
{
    [Theory]
    // in channels, height, width, out channels, kernel h, kernel w, stride h, stride w, dilation, pad top, left, bottom, right
    [InlineData(3, 40, 40, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1)] // mobilenet_v3's stem, smaller
    [InlineData(3, 45, 38, 32, 7, 7, 2, 2, 1, 3, 3, 3, 3)] // resnet's window
    [InlineData(3, 35, 21, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1)]
    [InlineData(1, 19, 50, 5, 5, 3, 1, 3, 2, 2, 0, 2, 1)]
    [InlineData(4, 17, 17, 31, 1, 1, 1, 1, 1, 0, 0, 0, 0)]
    [InlineData(2, 9, 70, 24, 4, 2, 3, 2, 1, 0, 1, 2, 0)]
    [InlineData(3, 1, 1, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1)]
    public void Forward_Geometries_BitIdenticalToIm2ColGemm(int inChannels, int height, int width, int outChannels, int kernelH, int kernelW,
        int strideH, int strideW, int dilation, int padTop, int padLeft, int padBottom, int padRight)
    {
        var g = new Conv2dGeometry(3, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight,
            dilation, dilation);
        if (!Avx512F.IsSupported)
        {
            Assert.False(Conv2dOutputLanes.Applies(g));
            return;
        }
        Assert.True(Conv2dOutputLanes.Applies(g));
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), height + width), w = KernelAssert.Random((int)Conv2d.WeightLength(g), 2);
        float[] bias = KernelAssert.Random(outChannels, 3), residual = KernelAssert.Random((int)Conv2d.OutputLength(g), 4);
        KernelAssert.ForwardBitIdentical(g, x, w, bias, residual, (b, r, activation) => Reference(g, x, w, b, r, activation));
    }

    [Theory]
    [InlineData(16, 3, 16)] // a 3x3 convolution of a 16-channel map: the GEMM paths' case
    [InlineData(3, 11, 16)] // 3 x 11 x 11 = 363 taps, beyond one depth block
    [InlineData(3, 7, 64)] // resnet's stem: the GEMM measured as fast
    public void Applies_OutsideTheStemCase_False(int inChannels, int kernel, int outChannels)
    {
        var g = new Conv2dGeometry(2, inChannels, 32, 32, outChannels, kernel, kernel, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1);
        Assert.False(Conv2dOutputLanes.Applies(g));
    }

    private static unsafe float[] Reference(in Conv2dGeometry g, float[] x, float[] w, float[] bias, float[] residual, in FusedActivation activation)
    {
        var y = new float[Conv2d.OutputLength(g)];
        fixed (float* px = x, pw = w, pb = bias, pr = residual, py = y)
            Conv2dBatched.ForwardInBlocks(g, px, pw, bias.Length == 0 ? null : pb, residual.Length == 0 ? null : pr, activation, py);
        return y;
    }
}
