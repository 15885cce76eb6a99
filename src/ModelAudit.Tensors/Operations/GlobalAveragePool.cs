namespace ModelAudit.Tensors.Operations;

/// <summary>Mean over the spatial dimensions: [N,C,H,W] to [N,C,1,1] (any spatial rank).</summary>
public sealed class GlobalAveragePool : Operation
{
    /// <inheritdoc/>
    public override string Kind => "GlobalAveragePool";

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 1, 1);
        var x = inputs[0];
        if (x.Rank < 3) throw new ShapeMismatchException($"GlobalAveragePool input X must be [N,C,spatial...] but has shape {x}.");
        var dims = x.ToArray();
        for (int i = 2; i < dims.Length; i++) dims[i] = 1;
        return [new TensorShape(dims)];
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
        => inputs[0].Backend.GlobalAveragePoolForward(inputs[0], outputs[0]);

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var dy = outputGradients[0];
        if (dy is null || !needInputGradient[0]) return [null];
        var backend = OperationChecks.Backend(inputs);
        var dx = backend.Allocate(inputs[0].Shape, clear: false);
        backend.GlobalAveragePoolBackward(dy, dx);
        return [dx];
    }

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => false;
}
