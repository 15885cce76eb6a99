using ModelAudit.Tensors.Operations;
using ModelAudit.Tensors.Tests.TestSupport;

namespace ModelAudit.Tensors.Tests.Operations;

public class ConvPoolTests
{
    [Fact]
    public void Conv2d_Forward_SingleChannel_MatchesHandComputed()
    {
        // 3x3 input, 2x2 kernel of ones, bias 1, stride 1, no pad: window sums + 1.
        var x = Tensor.FromArray([1, 2, 3, 4, 5, 6, 7, 8, 9], 1, 1, 3, 3);
        var w = Tensor.FromArray([1, 1, 1, 1], 1, 1, 2, 2);
        var b = Tensor.FromArray([1], 1);
        var y = GradientChecker.Run(new Conv2d([1, 1], [0, 0, 0, 0], [1, 1], 1), [x, w, b])[0];
        TensorAssert.AssertClose(new float[] { 13, 17, 25, 29 }, y, relTol: 1e-6);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 1, 1)]
    [InlineData(1, 2, 2)]
    public void Conv2d_Backward_StridePadDilationGroups_MatchesFiniteDifferences(int stride, int dilation, int groups)
    {
        var x = RandomTensors.Uniform(1, -1, 1, 2, 4, 6, 5);
        var w = RandomTensors.Uniform(2, -1, 1, 4, 4 / groups, 3, 2);
        var b = RandomTensors.Uniform(3, -1, 1, 4);
        var op = new Conv2d([stride, stride], [1, 0, 2, 1], [dilation, dilation], groups);
        GradientChecker.Check(op, [x, w, b], eps: 1e-2, relTol: 2e-3);
    }

    [Fact]
    public void MaxPool2d_Forward_MatchesHandComputed()
    {
        var x = Tensor.FromArray([1, 5, 2, 0, 3, 4, 9, 8, 7, 6, 1, 2, 0, 1, 3, 4], 1, 1, 4, 4);
        var y = GradientChecker.Run(new MaxPool2d([2, 2], [2, 2], [0, 0, 0, 0], [1, 1], false), [x])[0];
        TensorAssert.AssertClose(new float[] { 5, 9, 7, 4 }, y, relTol: 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MaxPool2d_Backward_DistinctValues_MatchesFiniteDifferences(bool ceilMode)
    {
        var x = RandomTensors.Distinct(4, 0.1f, 2, 2, 5, 6);
        GradientChecker.Check(new MaxPool2d([3, 2], [2, 2], [1, 0, 1, 1], [1, 1], ceilMode), [x], eps: 1e-2, relTol: 1e-3);
    }

    [Fact]
    public void AveragePool2d_Forward_PadExcluded_MatchesHandComputed()
    {
        // 2x2 input, 2x2 window, stride 1, pad 1 on every side: corners see one element.
        var x = Tensor.FromArray([1, 2, 3, 4], 1, 1, 2, 2);
        var y = GradientChecker.Run(new AveragePool2d([2, 2], [1, 1], [1, 1, 1, 1], false, false), [x])[0];
        TensorAssert.AssertClose(new float[] { 1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4 }, y, relTol: 1e-6);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(true, false)]
    public void AveragePool2d_Backward_MatchesFiniteDifferences(bool ceilMode, bool countIncludePad)
    {
        var x = RandomTensors.Uniform(5, -1, 1, 2, 3, 5, 6);
        GradientChecker.Check(new AveragePool2d([3, 3], [2, 2], [1, 1, 0, 1], ceilMode, countIncludePad), [x], eps: 1e-2, relTol: 1e-3);
    }

    [Fact]
    public void GlobalAveragePool_ForwardBackward_MeansAndFiniteDifferences()
    {
        var x = Tensor.FromArray([1, 2, 3, 4, 10, 20, 30, 40], 1, 2, 2, 2);
        var op = new GlobalAveragePool();
        var y = GradientChecker.Run(op, [x])[0];
        Assert.Equal(new TensorShape(1, 2, 1, 1), y.Shape);
        TensorAssert.AssertClose(new float[] { 2.5f, 25 }, y, relTol: 1e-6);
        GradientChecker.Check(op, [RandomTensors.Uniform(6, -1, 1, 2, 3, 4, 3)], eps: 1e-2, relTol: 1e-3);
    }

    [Fact]
    public void BatchNormalization_Forward_MatchesHandComputed()
    {
        var x = Tensor.FromArray([1, 2, 3, 4], 1, 2, 2, 1);
        var scale = Tensor.FromArray([2, 1], 2);
        var bias = Tensor.FromArray([0, 1], 2);
        var mean = Tensor.FromArray([1, 3], 2);
        var variance = Tensor.FromArray([4, 1], 2);
        var y = GradientChecker.Run(new BatchNormalization(0f), [x, scale, bias, mean, variance])[0];
        TensorAssert.AssertClose(new float[] { 0, 1, 1, 2 }, y, relTol: 1e-6);
    }

    [Fact]
    public void BatchNormalization_Backward_XScaleBias_MatchesFiniteDifferences()
    {
        var x = RandomTensors.Uniform(1, -2, 2, 2, 3, 2, 2);
        var scale = RandomTensors.Uniform(2, 0.5f, 1.5f, 3);
        var bias = RandomTensors.Uniform(3, -1, 1, 3);
        var mean = RandomTensors.Uniform(4, -0.5f, 0.5f, 3);
        var variance = RandomTensors.Uniform(5, 0.5f, 2f, 3);
        GradientChecker.Check(new BatchNormalization(1e-5f), [x, scale, bias, mean, variance], [true, true, true, false, false], eps: 1e-2, relTol: 1e-3);
    }
}
