using ModelAudit.Tensors.Operations;
using ModelAudit.Tensors.Tests.TestSupport;

namespace ModelAudit.Tensors.Tests.Operations;

public class ClipTests
{
    [Fact]
    public void ForwardBackward_BoundsInclusive_MatchTorchClamp()
    {
        // torch.clamp(x, -1, 2): gradient 1 where -1 <= x <= 2 (bounds included), else 0.
        var x = Tensor.FromArray([-2f, -1f, 0.5f, 2f, 3f], 5);
        var op = new Clip(-1f, 2f);
        var y = GradientChecker.Run(op, [x]);
        TensorAssert.AssertClose(new float[] { -1, -1, 0.5f, 2, 2 }, y[0], relTol: 0);
        var g = op.Backward([x], y, [Tensor.FromArray([1f, 1f, 1f, 1f, 1f], 5)], [true]);
        TensorAssert.AssertClose(new float[] { 0, 1, 1, 1, 0 }, g[0]!, relTol: 0);
    }

    [Fact]
    public void Backward_AwayFromBounds_MatchesFiniteDifferences()
    {
        var x = Tensor.FromArray([-3f, -0.5f, 0.2f, 1.5f, 4f, 0.9f], 2, 3);
        GradientChecker.Check(new Clip(-1f, 2f), [x], eps: 1e-2, relTol: 1e-3);
    }
}
