using ModelAudit.Tensors.Operations;
using ModelAudit.Tensors.Tests.TestSupport;

namespace ModelAudit.Tensors.Tests.Operations;

public class ConvTranspose2dTests
{
    [Fact]
    public void Forward_OnePixelStride2_ScattersKernel()
    {
        // One input pixel of value 2 and a 2x2 kernel at stride 2: the output is the kernel times 2.
        var x = Tensor.FromArray([2], 1, 1, 1, 1);
        var w = Tensor.FromArray([1, 2, 3, 4], 1, 1, 2, 2);
        var y = GradientChecker.Run(new ConvTranspose2d([2, 2], [0, 0, 0, 0], [1, 1], [0, 0], 1), [x, w])[0];
        TensorAssert.AssertClose(new float[] { 2, 4, 6, 8 }, y, relTol: 0);
    }

    [Theory]
    [InlineData(1, 1, 1, 0)]
    [InlineData(2, 1, 2, 1)]
    [InlineData(2, 2, 1, 1)]
    public void Backward_InputAndWeights_MatchFiniteDifferences(int stride, int dilation, int groups, int outputPadding)
    {
        // Both gradients: the input's (a convolution forward) and the weights' (a convolution backward-filter).
        var x = RandomTensors.Uniform(1, -1, 1, 2, 4, 3, 4);
        var w = RandomTensors.Uniform(2, -1, 1, 4, 6 / groups, 3, 2);
        var op = new ConvTranspose2d([stride, stride], [1, 0, 0, 1], [dilation, dilation], [outputPadding, 0], groups);
        GradientChecker.Check(op, [x, w], eps: 1e-2, relTol: 2e-3);
    }

    [Fact]
    public void Constructor_OutputPaddingNotBelowStride_Throws()
        => Assert.Throws<ArgumentException>(() => new ConvTranspose2d([2, 2], [0, 0, 0, 0], [1, 1], [2, 0], 1));
}
