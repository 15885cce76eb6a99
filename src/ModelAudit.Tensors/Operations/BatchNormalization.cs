namespace ModelAudit.Tensors.Operations;

/// <summary>
/// Inference batch normalisation: y = scale (x - mean) / sqrt(var + epsilon) + bias per channel (axis 1).
/// Differentiable in X, scale and bias; the running statistics are constants.
/// </summary>
public sealed class BatchNormalization : Operation
{
    /// <summary>Creates the operation.</summary>
    public BatchNormalization(float epsilon) => Epsilon = epsilon;

    /// <summary>Added to the variance.</summary>
    public float Epsilon { get; }

    /// <inheritdoc/>
    public override string Kind => "BatchNormalization";

    private static readonly string[] ParameterNames = ["scale", "bias", "mean", "var"];

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 5, 5);
        var x = inputs[0];
        if (x.Rank < 2) throw new ShapeMismatchException($"BatchNormalization input X must be [N,C,...] but has shape {x}.");
        for (int i = 1; i < 5; i++)
        {
            if (inputs[i].Rank != 1 || inputs[i][0] != x[1])
                throw new ShapeMismatchException($"BatchNormalization input {ParameterNames[i - 1]} {inputs[i]} must be [{x[1]}] for X {x}.");
        }
        return [x];
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
        => inputs[0].Backend.BatchNormForward(Epsilon, inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], outputs[0]);

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var result = new Tensor?[5];
        var dy = outputGradients[0];
        if (dy is null) return result;
        var backend = OperationChecks.Backend(inputs);
        if (needInputGradient[0]) result[0] = backend.Allocate(inputs[0].Shape, clear: false);
        if (needInputGradient[1]) result[1] = backend.Allocate(inputs[1].Shape, clear: false);
        if (needInputGradient[2]) result[2] = backend.Allocate(inputs[2].Shape, clear: false);
        backend.BatchNormBackward(Epsilon, inputs[0], inputs[1], inputs[3], inputs[4], dy, result[0], result[1], result[2]);
        return result;
    }

    /// <inheritdoc/>
    public override bool IsDifferentiable(int inputIndex) => inputIndex < 3;

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => inputIndex != 2;
}
