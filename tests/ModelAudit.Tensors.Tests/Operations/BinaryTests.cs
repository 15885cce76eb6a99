using ModelAudit.Tensors.Operations;
using ModelAudit.Tensors.Tests.TestSupport;

namespace ModelAudit.Tensors.Tests.Operations;

public class BinaryTests
{
    [Theory]
    [InlineData(BinaryKind.Add, new float[] { 11, 22, 33, 14, 25, 36 })]
    [InlineData(BinaryKind.Sub, new float[] { -9, -18, -27, -6, -15, -24 })]
    [InlineData(BinaryKind.Mul, new float[] { 10, 40, 90, 40, 100, 180 })]
    [InlineData(BinaryKind.Div, new float[] { 0.1f, 0.1f, 0.1f, 0.4f, 0.25f, 0.2f })]
    [InlineData(BinaryKind.Max, new float[] { 10, 20, 30, 10, 20, 30 })]
    [InlineData(BinaryKind.Min, new float[] { 1, 2, 3, 4, 5, 6 })]
    public void Forward_BroadcastRowOverMatrix_MatchesHandComputed(BinaryKind kind, float[] expected)
    {
        var a = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var b = Tensor.FromArray([10, 20, 30], 3);
        var y = GradientChecker.Run(new Binary(kind), [a, b])[0];
        Assert.Equal(new TensorShape(2, 3), y.Shape);
        TensorAssert.AssertClose(expected, y, relTol: 1e-6);
    }

    [Fact]
    public void Forward_PowBroadcastColumnAgainstRow_MatchesHandComputed()
    {
        var a = Tensor.FromArray([2, 3], 2, 1);
        var b = Tensor.FromArray([1, 2, 0.5f], 1, 3);
        var y = GradientChecker.Run(new Binary(BinaryKind.Pow), [a, b])[0];
        Assert.Equal(new TensorShape(2, 3), y.Shape);
        TensorAssert.AssertClose(new[] { 2.0, 4.0, Math.Sqrt(2), 3.0, 9.0, Math.Sqrt(3) }, y, relTol: 1e-6);
    }

    [Theory]
    [InlineData(BinaryKind.Add)]
    [InlineData(BinaryKind.Sub)]
    [InlineData(BinaryKind.Mul)]
    [InlineData(BinaryKind.Div)]
    [InlineData(BinaryKind.Pow)]
    [InlineData(BinaryKind.Max)]
    [InlineData(BinaryKind.Min)]
    public void Backward_BroadcastBothWays_MatchesFiniteDifferences(BinaryKind kind)
    {
        // Positive bases for Pow; distinct values keep Max/Min away from ties.
        var a = RandomTensors.Uniform(1, 0.5f, 2f, 2, 1, 4);
        var b = RandomTensors.Uniform(2, 0.6f, 2.1f, 3, 1);
        GradientChecker.Check(new Binary(kind), [a, b], eps: 1e-3, relTol: 1e-2);
    }

    [Fact]
    public void Backward_MaxTie_SplitsGradientEqually()
    {
        var a = Tensor.FromArray([1, 5], 2);
        var b = Tensor.FromArray([1, 2], 2);
        var op = new Binary(BinaryKind.Max);
        var y = GradientChecker.Run(op, [a, b]);
        var g = op.Backward([a, b], y, [Tensor.FromArray([4, 4], 2)], [true, true]);
        TensorAssert.AssertClose(new float[] { 2, 4 }, g[0]!, relTol: 0);
        TensorAssert.AssertClose(new float[] { 2, 0 }, g[1]!, relTol: 0);
    }

    [Fact]
    public void InferShapes_Incompatible_ThrowsNamingShapes()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => new Binary(BinaryKind.Add).InferShapes([new TensorShape(2, 3), new TensorShape(4)]));
        Assert.Contains("[2,3]", e.Message);
        Assert.Contains("[4]", e.Message);
    }

    [Theory]
    [InlineData(BinaryKind.Add)]
    [InlineData(BinaryKind.Mul)]
    public void Forward_OneMiddleAxisBroadcast_EqualsExplicitLoop(BinaryKind kind)
    {
        // [outer, mid, inner] op [outer, 1, inner]: the row fast path, against the definition.
        var a = RandomTensors.Uniform(11, -1, 1, 5, 7, 16);
        var b = RandomTensors.Uniform(12, -1, 1, 5, 1, 16);
        var y = Tensor.Zeros(5, 7, 16);
        ComputeBackends.Cpu.BinaryForward(kind, a, b, y);
        for (int o = 0; o < 5; o++)
            for (int m = 0; m < 7; m++)
                for (int i = 0; i < 16; i++)
                {
                    float av = a.Span[(o * 7 + m) * 16 + i], bv = b.Span[o * 16 + i];
                    Assert.Equal(kind == BinaryKind.Add ? av + bv : av * bv, y.Span[(o * 7 + m) * 16 + i]);
                }
    }

    [Fact]
    public void SumToShape_OneMiddleAxis_EqualsSequentialSums()
    {
        var source = RandomTensors.Uniform(13, -1, 1, 4, 9, 3);
        var destination = Tensor.Zeros(4, 1, 3);
        ComputeBackends.Cpu.SumToShape(source, destination);
        for (int o = 0; o < 4; o++)
            for (int i = 0; i < 3; i++)
            {
                float sum = 0;
                for (int m = 0; m < 9; m++) sum += source.Span[(o * 9 + m) * 3 + i];
                Assert.Equal(sum, destination.Span[o * 3 + i]);
            }
    }

    [Fact]
    public void Backward_BiasBroadcastOverRows_MatchesFiniteDifferences()
    {
        var a = RandomTensors.Uniform(14, -1, 1, 3, 6, 4);
        var b = RandomTensors.Uniform(15, -1, 1, 3, 1, 4);
        GradientChecker.Check(new Binary(BinaryKind.Mul), [a, b], eps: 1e-2, relTol: 1e-3);
    }
}
