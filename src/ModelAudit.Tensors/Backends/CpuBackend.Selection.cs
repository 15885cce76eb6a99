using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void Conv3dForward(in Conv3dGeometry geometry, Tensor x, Tensor weights, Tensor? bias, Tensor y)
        => Conv3d.Forward(geometry, x.Span, weights.Span, bias is null ? Span<float>.Empty : bias.Span, y.Span);

    /// <inheritdoc/>
    public void Conv3dBackwardData(in Conv3dGeometry geometry, Tensor dy, Tensor weights, Tensor dx)
        => Conv3d.BackwardData(geometry, dy.Span, weights.Span, dx.Span);

    /// <inheritdoc/>
    public void Conv3dBackwardFilter(in Conv3dGeometry geometry, Tensor x, Tensor dy, Tensor dWeights, Tensor? dBias)
        => Conv3d.BackwardFilter(geometry, x.Span, dy.Span, dWeights.Span, dBias is null ? Span<float>.Empty : dBias.Span);

    /// <inheritdoc/>
    public void Pool3dForward(in Pool3dGeometry geometry, bool average, bool countIncludePad, Tensor x, Tensor y)
    {
        if (average) Pool3d.AverageForward(geometry, countIncludePad, x.Span, y.Span);
        else Pool3d.MaxForward(geometry, x.Span, y.Span);
    }

    /// <inheritdoc/>
    public void Pool3dBackward(in Pool3dGeometry geometry, bool average, bool countIncludePad, Tensor x, Tensor dy, Tensor dx)
    {
        if (average) Pool3d.AverageBackward(geometry, countIncludePad, dy.Span, dx.Span);
        else Pool3d.MaxBackward(geometry, x.Span, dy.Span, dx.Span);
    }

    /// <inheritdoc/>
    public void TopKForward(int outer, int axisLength, int inner, int k, bool largest, Tensor x, Tensor values, Tensor indices)
        => TopK.Forward(outer, axisLength, inner, k, largest, x.Span, values.Span, indices.Span);

    /// <inheritdoc/>
    public void TopKBackward(int outer, int axisLength, int inner, int k, Tensor indices, Tensor dValues, Tensor dx)
        => TopK.Backward(outer, axisLength, inner, k, indices.Span, dValues.Span, dx.Span);
}
