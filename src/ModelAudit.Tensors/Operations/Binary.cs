using ModelAudit.Tensors.Kernels.Layout;

namespace ModelAudit.Tensors.Operations;

/// <summary>An element-wise binary operation with NumPy broadcasting; gradients are summed back to each input's shape.</summary>
public sealed class Binary : Operation
{
    /// <summary>Creates the operation.</summary>
    public Binary(BinaryKind kind) => BinaryKind = kind;

    /// <summary>Which operation.</summary>
    public BinaryKind BinaryKind { get; }

    /// <inheritdoc/>
    public override string Kind => BinaryKind.ToString();

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 2, 2);
        return [Broadcasting.Shape(inputs[0], inputs[1])];
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
        => inputs[0].Backend.BinaryForward(BinaryKind, inputs[0], inputs[1], outputs[0]);

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var dy = outputGradients[0];
        if (dy is null) return [null, null];
        var backend = OperationChecks.Backend(inputs);
        var da = needInputGradient[0] ? backend.Allocate(inputs[0].Shape, clear: false) : null;
        var db = needInputGradient[1] ? backend.Allocate(inputs[1].Shape, clear: false) : null;
        backend.BinaryBackward(BinaryKind, inputs[0], inputs[1], dy, da, db);
        return [da, db];
    }

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => BinaryKind is not (BinaryKind.Add or BinaryKind.Sub);

    /// <inheritdoc/>
    public override bool PassesGradientThrough(int inputIndex) => BinaryKind == BinaryKind.Add || (BinaryKind == BinaryKind.Sub && inputIndex == 0);
}
