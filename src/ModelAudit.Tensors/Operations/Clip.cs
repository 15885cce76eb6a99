namespace ModelAudit.Tensors.Operations;

/// <summary>Clamps to [min, max]; the gradient passes where min &lt;= x &lt;= max (as PyTorch's clamp).</summary>
public sealed class Clip : Operation
{
    /// <summary>Creates the operation.</summary>
    public Clip(float min, float max)
    {
        Min = min;
        Max = max;
    }

    /// <summary>Lower bound.</summary>
    public float Min { get; }

    /// <summary>Upper bound.</summary>
    public float Max { get; }

    /// <inheritdoc/>
    public override string Kind => "Clip";

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 1, 1);
        return [inputs[0]];
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
        => inputs[0].Backend.ClipForward(Min, Max, inputs[0], outputs[0]);

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var dy = outputGradients[0];
        if (dy is null || !needInputGradient[0]) return [null];
        var backend = OperationChecks.Backend(inputs);
        var dx = backend.Allocate(inputs[0].Shape, clear: false);
        backend.ClipBackward(Min, Max, inputs[0], dy, dx);
        return [dx];
    }
}
