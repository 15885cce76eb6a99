using ModelAudit.Tensors.Kernels.Layout;

namespace ModelAudit.Tensors.Operations;

/// <summary>ONNX Expand: broadcasts the input and the given shape together (NumPy rules).</summary>
public sealed class Expand : Operation
{
    private readonly TensorShape _shape;

    /// <summary>Creates the operation.</summary>
    public Expand(int[] shape) => _shape = new TensorShape(shape);

    /// <inheritdoc/>
    public override string Kind => "Expand";

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 1, 1);
        try
        {
            return [Broadcasting.Shape(inputs[0], _shape)];
        }
        catch (ShapeMismatchException)
        {
            throw new ShapeMismatchException($"Expand cannot broadcast input {inputs[0]} with shape {_shape}.");
        }
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
        => inputs[0].Backend.BroadcastTo(inputs[0], outputs[0]);

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var dy = outputGradients[0];
        if (dy is null || !needInputGradient[0]) return [null];
        var backend = OperationChecks.Backend(inputs);
        var dx = backend.Allocate(inputs[0].Shape, clear: false);
        backend.SumToShape(dy, dx);
        return [dx];
    }

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => false;
}
