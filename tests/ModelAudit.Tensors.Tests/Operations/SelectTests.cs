using ModelAudit.Tensors.Operations;
using ModelAudit.Tensors.Tests.TestSupport;

namespace ModelAudit.Tensors.Tests.Operations;

/// <summary>Where with a runtime condition: exact selections and gradients routed by the condition (identities).</summary>
public class SelectTests
{
    [Fact]
    public void Forward_BroadcastConditionAndInfiniteFill_SelectsWithoutNaN()
    {
        // condition [2, 1] against a [2, 3] and b scalar -inf: rows chosen whole; -inf never meets a 0.
        var c = Tensor.FromArray([1f, 0f], 2, 1);
        var a = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        var b = Tensor.FromArray([float.NegativeInfinity], 1);
        var op = new Select();
        Assert.Equal(new TensorShape(2, 3), op.InferShapes([c.Shape, a.Shape, b.Shape])[0]);
        var y = Tensor.Zeros(2, 3);
        op.Forward([c, a, b], [y]);
        Assert.Equal(new[] { 1f, 2f, 3f, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity }, y.Span.ToArray());
    }

    [Fact]
    public void Backward_BranchesOfSmallerShape_GradientSummedWhereSelected()
    {
        // y = where(c, a, b), c [2, 2], a [2, 2], b [1, 2] (broadcast over rows): da = dy * c, db = sum over rows of dy * (1 - c).
        var c = Tensor.FromArray([1f, 0f, 0f, 0f], 2, 2);
        var a = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2);
        var b = Tensor.FromArray([7f, 8f], 1, 2);
        var dy = Tensor.FromArray([10f, 20f, 30f, 40f], 2, 2);
        var op = new Select();
        var grads = op.Backward([c, a, b], [Tensor.Zeros(2, 2)], [dy], [false, true, true]);
        Assert.Null(grads[0]);
        Assert.False(op.IsDifferentiable(0));
        TensorAssert.AssertClose(new[] { 10f, 0f, 0f, 0f }, grads[1]!, relTol: 0);
        TensorAssert.AssertClose(new[] { 30f, 60f }, grads[2]!, relTol: 0);
    }
}
