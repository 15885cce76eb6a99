using ModelAudit.Tensors.Operations;
using ModelAudit.Tensors.Tests.TestSupport;

namespace ModelAudit.Tensors.Tests.Operations;

public class LayoutTests
{
    [Fact]
    public void Reshape_ForwardBackward_KeepsOrderAndGradients()
    {
        var x = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var op = new Reshape([3, 1, 2]);
        var y = GradientChecker.Run(op, [x])[0];
        Assert.Equal(new TensorShape(3, 1, 2), y.Shape);
        TensorAssert.AssertClose(new float[] { 1, 2, 3, 4, 5, 6 }, y, relTol: 0);
        GradientChecker.Check(op, [RandomTensors.Uniform(1, -1, 1, 2, 3)], relTol: 1e-3);
        Assert.Throws<ShapeMismatchException>(() => op.InferShapes([new TensorShape(7)]));
    }

    [Fact]
    public void Transpose_Forward_MatchesHandComputed()
    {
        var x = Tensor.FromArray([1, 2, 3, 4, 5, 6], 1, 2, 3);
        var y = GradientChecker.Run(new Transpose([2, 0, 1]), [x])[0];
        Assert.Equal(new TensorShape(3, 1, 2), y.Shape);
        TensorAssert.AssertClose(new float[] { 1, 4, 2, 5, 3, 6 }, y, relTol: 0);
    }

    [Fact]
    public void Transpose_Backward_MatchesFiniteDifferences()
        => GradientChecker.Check(new Transpose([1, 3, 0, 2]), [RandomTensors.Uniform(2, -1, 1, 2, 3, 4, 2)], relTol: 1e-3);

    [Fact]
    public void Concat_NegativeAxis_ForwardAndFiniteDifferences()
    {
        var a = Tensor.FromArray([1, 2, 3, 4], 2, 2);
        var b = Tensor.FromArray([5, 6], 2, 1);
        var op = new Concat(-1);
        var y = GradientChecker.Run(op, [a, b])[0];
        TensorAssert.AssertClose(new float[] { 1, 2, 5, 3, 4, 6 }, y, relTol: 0);
        GradientChecker.Check(new Concat(-2), [RandomTensors.Uniform(1, -1, 1, 2, 2, 3), RandomTensors.Uniform(2, -1, 1, 2, 1, 3), RandomTensors.Uniform(3, -1, 1, 2, 4, 3)], relTol: 1e-3);
    }

    [Fact]
    public void Concat_MismatchedOffAxis_ThrowsNamingShapes()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => new Concat(0).InferShapes([new TensorShape(2, 3), new TensorShape(2, 4)]));
        Assert.Contains("[2,4]", e.Message);
    }

    [Fact]
    public void Split_ForwardAndFiniteDifferences()
    {
        var x = Tensor.FromArray([1, 2, 3, 4, 5, 6], 1, 6);
        var op = new Split(1, [1, 3, 2]);
        var ys = GradientChecker.Run(op, [x]);
        Assert.Equal(3, ys.Length);
        TensorAssert.AssertClose(new float[] { 1 }, ys[0], relTol: 0);
        TensorAssert.AssertClose(new float[] { 2, 3, 4 }, ys[1], relTol: 0);
        TensorAssert.AssertClose(new float[] { 5, 6 }, ys[2], relTol: 0);
        GradientChecker.Check(new Split(-2, [2, 1]), [RandomTensors.Uniform(4, -1, 1, 2, 3, 2)], relTol: 1e-3);
    }

    [Theory]
    [InlineData(new long[] { 1 }, new long[] { 4 }, new[] { 1 }, new long[] { 2 }, new float[] { 1, 3, 5, 7, 9, 11 })]
    [InlineData(new long[] { -1 }, new long[] { long.MinValue }, new[] { 1 }, new long[] { -1 }, new float[] { 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8 })]
    [InlineData(new long[] { 0, 3 }, new long[] { long.MaxValue, 0 }, new[] { 0, -1 }, new long[] { 2, -2 }, new float[] { 3, 1, 11, 9 })]
    [InlineData(new long[] { 5 }, new long[] { 10 }, new[] { 0 }, new long[] { 1 }, new float[0])]
    public void Slice_Forward_OnnxSemantics(long[] starts, long[] ends, int[] axes, long[] steps, float[] expected)
    {
        var x = Tensor.FromArray(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), 3, 4);
        var y = GradientChecker.Run(new Slice(starts, ends, axes, steps), [x])[0];
        TensorAssert.AssertClose(expected, y, relTol: 0);
    }

    [Fact]
    public void Slice_Backward_NegativeStep_MatchesFiniteDifferences()
        => GradientChecker.Check(new Slice([-2, 0], [0, 5], [2, 0], [-1, 2]), [RandomTensors.Uniform(3, -1, 1, 3, 2, 5)], relTol: 1e-3);

    [Theory]
    [InlineData(PadMode.Constant, new float[] { 9, 9, 9, 9, 9, 9, 1, 2, 3, 9, 9, 4, 5, 6, 9 })]
    [InlineData(PadMode.Edge, new float[] { 1, 1, 2, 3, 3, 1, 1, 2, 3, 3, 4, 4, 5, 6, 6 })]
    [InlineData(PadMode.Reflect, new float[] { 5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5 })]
    public void Pad_Forward_ModesMatchNumPy(PadMode mode, float[] expected)
    {
        // numpy.pad(x, ((1, 0), (1, 1)), mode) with constant 9.
        var x = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var y = GradientChecker.Run(new Pad([1, 1, 0, 1], mode, 9f), [x])[0];
        Assert.Equal(new TensorShape(3, 5), y.Shape);
        TensorAssert.AssertClose(expected, y, relTol: 0);
    }

    [Fact]
    public void Pad_NegativePads_Crop()
    {
        var x = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var y = GradientChecker.Run(new Pad([0, -1, 0, 1], PadMode.Constant, 0f), [x])[0];
        Assert.Equal(new TensorShape(2, 3), y.Shape);
        TensorAssert.AssertClose(new float[] { 2, 3, 0, 5, 6, 0 }, y, relTol: 0);
    }

    [Theory]
    [InlineData(PadMode.Constant)]
    [InlineData(PadMode.Edge)]
    [InlineData(PadMode.Reflect)]
    public void Pad_Backward_MatchesFiniteDifferences(PadMode mode)
        => GradientChecker.Check(new Pad([0, 2, -1, 1, 0, 1, 2, 0], mode, 0.5f), [RandomTensors.Uniform(7, -1, 1, 2, 3, 4, 3)], relTol: 1e-3);

    [Fact]
    public void Gather_NegativeIndicesMatrixShape_ForwardAndFiniteDifferences()
    {
        var x = Tensor.FromArray([1, 2, 3, 4, 5, 6], 3, 2);
        var op = new Gather(0, [-1, 0, 2, 2], [2, 2]);
        var y = GradientChecker.Run(op, [x])[0];
        Assert.Equal(new TensorShape(2, 2, 2), y.Shape);
        TensorAssert.AssertClose(new float[] { 5, 6, 1, 2, 5, 6, 5, 6 }, y, relTol: 0);
        GradientChecker.Check(new Gather(1, [1, -1, 1], [3]), [RandomTensors.Uniform(8, -1, 1, 2, 4, 3)], relTol: 1e-3);
    }

    [Fact]
    public void Expand_ForwardAndFiniteDifferences()
    {
        var x = Tensor.FromArray([1, 2], 2, 1);
        var op = new Expand([2, 1, 3]);
        var y = GradientChecker.Run(op, [x])[0];
        Assert.Equal(new TensorShape(2, 2, 3), y.Shape);
        TensorAssert.AssertClose(new float[] { 1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2 }, y, relTol: 0);
        GradientChecker.Check(op, [RandomTensors.Uniform(9, -1, 1, 2, 1)], relTol: 1e-3);
    }
}
