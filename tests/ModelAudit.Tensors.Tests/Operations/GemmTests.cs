using ModelAudit.Tensors.Operations;
using ModelAudit.Tensors.Tests.TestSupport;

namespace ModelAudit.Tensors.Tests.Operations;

public class GemmTests
{
    [Fact]
    public void Forward_TransposedBWithRowBias_MatchesHandComputed()
    {
        // A [2,3], B^T stored as [2,3] (so op(B) is [3,2]), C [2] broadcast over rows.
        var a = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var b = Tensor.FromArray([1, 0, 1, 0, 1, 0], 2, 3);
        var c = Tensor.FromArray([10, 20], 2);
        var y = GradientChecker.Run(new Gemm(false, true, 2f, 0.5f), [a, b, c])[0];
        // A op(B) = [[4, 2], [10, 5]]; times 2 plus 0.5 * [10, 20].
        TensorAssert.AssertClose(new float[] { 13, 14, 25, 20 }, y, relTol: 1e-6);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Backward_AllTransposeCombinations_MatchesFiniteDifferences(bool transA, bool transB)
    {
        int m = 3, k = 4, n = 2;
        var a = transA ? RandomTensors.Uniform(1, -1, 1, k, m) : RandomTensors.Uniform(1, -1, 1, m, k);
        var b = transB ? RandomTensors.Uniform(2, -1, 1, n, k) : RandomTensors.Uniform(2, -1, 1, k, n);
        var c = RandomTensors.Uniform(3, -1, 1, m, 1);
        GradientChecker.Check(new Gemm(transA, transB, 1.5f, 0.7f), [a, b, c], eps: 1e-2, relTol: 1e-3);
    }

    [Fact]
    public void InferShapes_InnerMismatch_ThrowsNamingShapes()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => new Gemm(false, false, 1, 1).InferShapes([new TensorShape(2, 3), new TensorShape(4, 5)]));
        Assert.Contains("[2,3]", e.Message);
        Assert.Contains("[4,5]", e.Message);
    }
}
