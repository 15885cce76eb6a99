using ModelAudit.Tensors.Operations;
using ModelAudit.Tensors.Tests.TestSupport;

namespace ModelAudit.Tensors.Tests.Operations;

/// <summary>Comparisons and logical operators on runtime values: exact 0/1 results (identities) and no gradient.</summary>
public class ComparisonTests
{
    [Fact]
    public void Forward_BroadcastRowAgainstColumn_EveryPairCompared()
    {
        // a [2, 1, 3] against b [2, 1]: y [2, 2, 3], y[i, j, k] = a[i, 0, k] op b[j, 0].
        var a = Tensor.FromArray([1f, 2f, 3f, 2f, float.NaN, 0f], 2, 1, 3);
        var b = Tensor.FromArray([2f, 0f], 2, 1);
        float[] Expected(Func<float, float, bool> test)
        {
            var y = new List<float>();
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++)
                    for (int k = 0; k < 3; k++) y.Add(test(a.Span[i * 3 + k], b.Span[j]) ? 1f : 0f);
            return [.. y];
        }
        foreach (var (kind, test) in new (ComparisonKind, Func<float, float, bool>)[]
        {
            (ComparisonKind.Equal, (p, q) => p == q), (ComparisonKind.Less, (p, q) => p < q), (ComparisonKind.Greater, (p, q) => p > q),
            (ComparisonKind.LessOrEqual, (p, q) => p <= q), (ComparisonKind.GreaterOrEqual, (p, q) => p >= q),
        })
        {
            var op = new Comparison(kind);
            Assert.Equal(new TensorShape(2, 2, 3), op.InferShapes([a.Shape, b.Shape])[0]);
            var y = Tensor.Zeros(2, 2, 3);
            op.Forward([a, b], [y]);
            Assert.Equal(Expected(test), y.Span.ToArray());
        }
        // Spot values: NaN compares false to everything, including under Equal; 2 == 2 in row 0.
        var equal = Tensor.Zeros(2, 2, 3);
        new Comparison(ComparisonKind.Equal).Forward([a, b], [equal]);
        Assert.Equal(new float[] { 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1 }, equal.Span.ToArray());
    }

    [Fact]
    public void Forward_LogicalOnNonZeroAsTrue_TruthTables()
    {
        var a = Tensor.FromArray([0f, 0f, 1f, 1f, -2f], 5);
        var b = Tensor.FromArray([0f, 1f, 0f, 1f, 0.5f], 5);
        foreach (var (kind, expected) in new (LogicalKind, float[])[]
        {
            (LogicalKind.And, [0, 0, 0, 1, 1]), (LogicalKind.Or, [0, 1, 1, 1, 1]), (LogicalKind.Xor, [0, 1, 1, 0, 0]),
        })
        {
            var y = Tensor.Zeros(5);
            new Logical(kind).Forward([a, b], [y]);
            Assert.Equal(expected, y.Span.ToArray());
        }
    }

    [Fact]
    public void Backward_ComparisonAndLogical_NoGradientToEitherInput()
    {
        var a = Tensor.FromArray([1f, 2f], 2);
        var b = Tensor.FromArray([2f], 1);
        var dy = Tensor.FromArray([1f, 1f], 2);
        foreach (Operation op in new Operation[] { new Comparison(ComparisonKind.Less), new Logical(LogicalKind.Or) })
        {
            Assert.False(op.IsDifferentiable(0));
            Assert.False(op.IsDifferentiable(1));
            Assert.Equal(new Tensor?[] { null, null }, op.Backward([a, b], [Tensor.Zeros(2)], [dy], [true, true]));
        }
    }

    [Fact]
    public void InferShapes_NotBroadcastable_ShapeMismatch()
        => Assert.Throws<ShapeMismatchException>(() => new Comparison(ComparisonKind.Equal).InferShapes([new TensorShape(2, 3), new TensorShape(4)]));
}
