using System.Buffers;
using ModelAudit.Tensors.Kernels;
using FusedActivation = ModelAudit.Tensors.Operations.FusedActivation;

namespace ModelAudit.Tensors;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void Conv2dForward(in Conv2dGeometry geometry, Tensor x, Tensor weights, Tensor? bias, Tensor y)
        => Conv2d.Forward(geometry, x.Span, weights.Span, bias is null ? Span<float>.Empty : bias.Span, y.Span);

    /// <inheritdoc/>
    public void Conv2dForwardFused(in Conv2dGeometry geometry, Tensor x, Tensor weights, Tensor? bias, Tensor? residual, in FusedActivation activation, Tensor y)
        => Conv2d.Forward(geometry, x.Span, weights.Span, bias is null ? Span<float>.Empty : bias.Span,
            residual is null ? Span<float>.Empty : residual.Span, activation, y.Span);

    /// <inheritdoc/>
    public void Conv2dBackwardData(in Conv2dGeometry geometry, Tensor dy, Tensor weights, Tensor dx)
        => Conv2d.BackwardData(geometry, dy.Span, weights.Span, dx.Span);

    /// <inheritdoc/>
    public void Conv2dBackwardFilter(in Conv2dGeometry geometry, Tensor x, Tensor dy, Tensor dWeights, Tensor? dBias)
        => Conv2d.BackwardFilter(geometry, x.Span, dy.Span, dWeights.Span, dBias is null ? Span<float>.Empty : dBias.Span);

    /// <inheritdoc/>
    public void MaxPool2dForward(in Pool2dGeometry geometry, Tensor x, Tensor y)
        => Pool2d.MaxForward(geometry, x.Span, y.Span, Span<int>.Empty);

    /// <inheritdoc/>
    public void MaxPool2dBackward(in Pool2dGeometry geometry, Tensor x, Tensor dy, Tensor dx)
    {
        // The arg-max is recomputed rather than kept from the forward pass: operations hold no state.
        var argmax = ArrayPool<int>.Shared.Rent(dy.Length);
        var y = _pool.Rent(dy.Length, clear: false);
        try
        {
            Pool2d.MaxForward(geometry, x.Span, y, argmax.AsSpan(0, dy.Length));
            Pool2d.MaxBackward(geometry, dy.Span, argmax.AsSpan(0, dy.Length), dx.Span);
        }
        finally
        {
            _pool.Return(y);
            ArrayPool<int>.Shared.Return(argmax);
        }
    }

    /// <inheritdoc/>
    public void AveragePool2dForward(in Pool2dGeometry geometry, bool countIncludePad, Tensor x, Tensor y)
        => Pool2d.AverageForward(geometry, countIncludePad, x.Span, y.Span);

    /// <inheritdoc/>
    public void AveragePool2dBackward(in Pool2dGeometry geometry, bool countIncludePad, Tensor dy, Tensor dx)
        => Pool2d.AverageBackward(geometry, countIncludePad, dy.Span, dx.Span);

    /// <inheritdoc/>
    public void GlobalAveragePoolForward(Tensor x, Tensor y)
    {
        var (batch, channels, spatial) = GlobalPoolSizes(x.Shape);
        Pool2d.GlobalAverageForward(batch, channels, spatial, x.Span, y.Span);
    }

    /// <inheritdoc/>
    public void GlobalAveragePoolBackward(Tensor dy, Tensor dx)
    {
        var (batch, channels, spatial) = GlobalPoolSizes(dx.Shape);
        Pool2d.GlobalAverageBackward(batch, channels, spatial, dy.Span, dx.Span);
    }

    private static (int Batch, int Channels, int Spatial) GlobalPoolSizes(TensorShape x)
        => (x[0], x[1], x.ElementCount / Math.Max(1, x[0] * x[1]));
}
