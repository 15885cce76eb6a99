namespace ModelAudit.Tensors.Operations;

/// <summary>Reinterprets the elements with a fully resolved target shape (no 0 or -1 entries).</summary>
public sealed class Reshape : Operation
{
    private readonly TensorShape _shape;

    /// <summary>Creates the operation.</summary>
    public Reshape(int[] shape) => _shape = new TensorShape(shape);

    /// <summary>The target shape.</summary>
    public TensorShape Shape => _shape;

    /// <inheritdoc/>
    public override string Kind => "Reshape";

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 1, 1);
        if (inputs[0].ElementCount != _shape.ElementCount)
            throw new ShapeMismatchException($"Reshape of input {inputs[0]} to {_shape}: element counts differ.");
        return [_shape];
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
        => inputs[0].Backend.Copy(inputs[0], outputs[0]);

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var dy = outputGradients[0];
        if (dy is null || !needInputGradient[0]) return [null];
        var backend = OperationChecks.Backend(inputs);
        var dx = backend.Allocate(inputs[0].Shape, clear: false);
        backend.Copy(dy, dx);
        return [dx];
    }

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => false;
}
