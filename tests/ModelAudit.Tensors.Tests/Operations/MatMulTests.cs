using ModelAudit.Tensors.Operations;
using ModelAudit.Tensors.Tests.TestSupport;

namespace ModelAudit.Tensors.Tests.Operations;

public class MatMulTests
{
    [Fact]
    public void Forward_BatchedTimesShared_MatchesHandComputed()
    {
        var a = Tensor.FromArray([1, 2, 3, 4, 5, 6, 7, 8], 2, 2, 2);
        var b = Tensor.FromArray([1, 1, 0, 1], 2, 2);
        var y = GradientChecker.Run(new MatMul(), [a, b])[0];
        Assert.Equal(new TensorShape(2, 2, 2), y.Shape);
        TensorAssert.AssertClose(new float[] { 1, 3, 3, 7, 5, 11, 7, 15 }, y, relTol: 1e-6);
    }

    [Fact]
    public void Forward_VectorTimesVector_IsScalarDot()
    {
        var y = GradientChecker.Run(new MatMul(), [Tensor.FromArray([1, 2, 3], 3), Tensor.FromArray([4, 5, 6], 3)])[0];
        Assert.Equal(0, y.Shape.Rank);
        TensorAssert.AssertClose(new float[] { 32 }, y, relTol: 1e-6);
    }

    [Theory]
    [InlineData(new[] { 2, 1, 3, 4 }, new[] { 3, 4, 2 })]
    [InlineData(new[] { 4 }, new[] { 2, 4, 3 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { 4 })]
    [InlineData(new[] { 3, 4 }, new[] { 4, 5 })]
    public void Backward_BroadcastAndPromotion_MatchesFiniteDifferences(int[] aDims, int[] bDims)
    {
        var a = RandomTensors.Uniform(1, -1, 1, aDims);
        var b = RandomTensors.Uniform(2, -1, 1, bDims);
        GradientChecker.Check(new MatMul(), [a, b], eps: 1e-2, relTol: 1e-3);
    }

    [Fact]
    public void InferShapes_BatchBroadcast_GivesNumPyShape()
    {
        var shape = new MatMul().InferShapes([new TensorShape(2, 1, 3, 4), new TensorShape(5, 4, 6)])[0];
        Assert.Equal(new TensorShape(2, 5, 3, 6), shape);
    }

    [Theory]
    [InlineData(new[] { 64, 40, 2 }, new[] { 64, 2, 16 })]
    [InlineData(new[] { 64, 40, 16 }, new[] { 64, 16, 1 })]
    public void Backward_ManySmallProducts_MatchesFiniteDifferences(int[] aDims, int[] bDims)
    {
        // The batched path: products run in parallel, gradients written without a broadcast reduction.
        var a = RandomTensors.Uniform(3, -1, 1, aDims);
        var b = RandomTensors.Uniform(4, -1, 1, bDims);
        GradientChecker.Check(new MatMul(), [a, b], eps: 1e-2, relTol: 1e-3);
    }

    [Fact]
    public void Forward_ManySmallProducts_IdenticalToOneGemmPerProduct()
    {
        var a = RandomTensors.Uniform(5, -1, 1, 300, 64, 2);
        var b = RandomTensors.Uniform(6, -1, 1, 300, 2, 16);
        var y = GradientChecker.Run(new MatMul(), [a, b])[0].ToArray();
        var expected = new float[y.Length];
        using var one = Tensor.FromArray(expected, expected.Length);
        for (int p = 0; p < 300; p++) ComputeBackends.Cpu.Gemm(false, false, 64, 16, 2, 1f, a, p * 128, 2, b, p * 32, 16, 0f, one, p * 1024, 16);
        Assert.Equal(expected, y);
    }
}
