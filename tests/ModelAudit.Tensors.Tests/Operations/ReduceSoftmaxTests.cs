using ModelAudit.Tensors.Operations;
using ModelAudit.Tensors.Tests.TestSupport;

namespace ModelAudit.Tensors.Tests.Operations;

public class ReduceSoftmaxTests
{
    [Theory]
    [InlineData(ReduceKind.Sum, new[] { 1 }, false, new[] { 2 }, new float[] { 6, 15 })]
    [InlineData(ReduceKind.Mean, new[] { 0 }, true, new[] { 1, 3 }, new float[] { 2.5f, 3.5f, 4.5f })]
    [InlineData(ReduceKind.Max, new int[0], false, new int[0], new float[] { 6 })]
    [InlineData(ReduceKind.Min, new[] { -1 }, true, new[] { 2, 1 }, new float[] { 1, 4 })]
    public void Reduce_Forward_MatchesHandComputed(ReduceKind kind, int[] axes, bool keepDims, int[] shape, float[] expected)
    {
        var x = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var y = GradientChecker.Run(new Reduce(kind, axes, keepDims), [x])[0];
        Assert.Equal(new TensorShape(shape), y.Shape);
        TensorAssert.AssertClose(expected, y, relTol: 1e-6);
    }

    [Theory]
    [InlineData(ReduceKind.Sum)]
    [InlineData(ReduceKind.Mean)]
    [InlineData(ReduceKind.Max)]
    [InlineData(ReduceKind.Min)]
    public void Reduce_Backward_MatchesFiniteDifferences(ReduceKind kind)
        => GradientChecker.Check(new Reduce(kind, [0, 2], false), [RandomTensors.Distinct(3, 0.05f, 3, 2, 4)], relTol: 1e-3);

    [Fact]
    public void Reduce_MaxTies_ShareGradient()
    {
        var x = Tensor.FromArray([3, 1, 3], 3);
        var op = new Reduce(ReduceKind.Max, [], false);
        var y = GradientChecker.Run(op, [x]);
        var g = op.Backward([x], y, [Tensor.FromArray([1f], [])], [true]);
        TensorAssert.AssertClose(new float[] { 0.5f, 0, 0.5f }, g[0]!, relTol: 0);
    }

    [Fact]
    public void Softmax_Forward_RowsMatchHandComputed()
    {
        var x = Tensor.FromArray([0, (float)Math.Log(3), 1, 1], 2, 2);
        var y = GradientChecker.Run(new Softmax(-1, false), [x])[0];
        TensorAssert.AssertClose(new float[] { 0.25f, 0.75f, 0.5f, 0.5f }, y, relTol: 1e-6);
    }

    [Fact]
    public void LogSoftmax_Forward_IsLogOfSoftmax()
    {
        var x = RandomTensors.Uniform(1, -3, 3, 2, 3, 4);
        var soft = GradientChecker.Run(new Softmax(1, false), [x])[0].ToArray();
        var log = GradientChecker.Run(new LogSoftmax(1, false), [x])[0];
        TensorAssert.AssertClose(soft.Select(v => Math.Log(v)).ToArray(), log, relTol: 1e-6);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(-1, false)]
    [InlineData(1, true)]
    [InlineData(2, true)]
    public void Softmax_Backward_MatchesFiniteDifferences(int axis, bool coerce)
    {
        GradientChecker.Check(new Softmax(axis, coerce), [RandomTensors.Uniform(2, -2, 2, 2, 3, 4)], eps: 1e-2, relTol: 1e-2);
        GradientChecker.Check(new LogSoftmax(axis, coerce), [RandomTensors.Uniform(3, -2, 2, 2, 3, 4)], eps: 1e-2, relTol: 1e-2);
    }
}
