using Window3d = ModelAudit.Tensors.Kernels.Window3d;
using ModelAudit.Tensors.Operations;
using ModelAudit.Tensors.Tests.TestSupport;

namespace ModelAudit.Tensors.Tests.Operations;

public class Volume3dTests
{
    [Fact]
    public void Conv3d_Forward_OnesKernel_SumsWindows()
    {
        // 2x2x2 input 1..8, 2x2x2 kernel of ones, no padding: the single output is 36.
        var x = Tensor.FromArray([1, 2, 3, 4, 5, 6, 7, 8], 1, 1, 2, 2, 2);
        var w = Tensor.FromArray([1, 1, 1, 1, 1, 1, 1, 1], 1, 1, 2, 2, 2);
        var y = GradientChecker.Run(new Conv3d(new Window3d(0, 0, 0), 1), [x, w])[0];
        TensorAssert.AssertClose(new float[] { 36 }, y, relTol: 0);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 1, 2)]
    [InlineData(1, 2, 1)]
    public void Conv3d_Backward_InputWeightsBias_MatchFiniteDifferences(int stride, int dilation, int groups)
    {
        var x = RandomTensors.Uniform(1, -1, 1, 2, 4, 4, 5, 4);
        var w = RandomTensors.Uniform(2, -1, 1, 4, 4 / groups, 2, 3, 2);
        var b = RandomTensors.Uniform(3, -1, 1, 4);
        var window = new Window3d(0, 0, 0, stride, stride, 1, 1, 0, 1, 0, 1, 1, dilation, 1, dilation);
        GradientChecker.Check(new Conv3d(window, groups), [x, w, b], eps: 1e-2, relTol: 2e-3);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Pool3d_Backward_MatchesFiniteDifferences(bool average, bool countIncludePad)
    {
        var x = RandomTensors.Distinct(4, 0.1f, 1, 2, 4, 5, 4);
        var window = new Window3d(2, 3, 2, 2, 2, 1, 1, 1, 0, 0, 1, 1, CeilMode: true);
        GradientChecker.Check(new Pool3d(window, average, countIncludePad), [x], eps: 1e-2, relTol: 1e-3);
    }
}
