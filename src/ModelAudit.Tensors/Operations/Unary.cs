namespace ModelAudit.Tensors.Operations;

/// <summary>An element-wise activation or math function.</summary>
public sealed class Unary : Operation
{
    /// <summary>Creates the operation; <paramref name="alpha"/> and <paramref name="beta"/> as ONNX defines them for the kind.</summary>
    public Unary(UnaryKind kind, float alpha = 0f, float beta = 0f)
    {
        UnaryKind = kind;
        Alpha = alpha;
        Beta = beta;
    }

    /// <summary>Which function.</summary>
    public UnaryKind UnaryKind { get; }

    /// <summary>LeakyRelu slope, HardSigmoid slope, Elu scale.</summary>
    public float Alpha { get; }

    /// <summary>HardSigmoid offset.</summary>
    public float Beta { get; }

    /// <inheritdoc/>
    public override string Kind => UnaryKind.ToString();

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 1, 1);
        return [inputs[0]];
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
        => inputs[0].Backend.UnaryForward(UnaryKind, Alpha, Beta, inputs[0], outputs[0]);

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var dy = outputGradients[0];
        if (dy is null || !needInputGradient[0]) return [null];
        var backend = OperationChecks.Backend(inputs);
        var dx = backend.Allocate(inputs[0].Shape, clear: false);
        backend.UnaryBackward(UnaryKind, Alpha, Beta, inputs[0], outputs[0], dy, dx);
        return [dx];
    }

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => DerivativeReadsInput(UnaryKind);

    /// <inheritdoc/>
    public override bool BackwardReadsOutput(int outputIndex) => DerivativeReadsOutput(UnaryKind);

    /// <summary>True when the derivative of <paramref name="kind"/> is computed from the input x.</summary>
    internal static bool DerivativeReadsInput(UnaryKind kind)
        => kind is not (UnaryKind.Identity or UnaryKind.Neg or UnaryKind.Sigmoid or UnaryKind.Tanh or UnaryKind.Exp or UnaryKind.Sqrt or UnaryKind.Reciprocal);

    /// <summary>True when the derivative of <paramref name="kind"/> is computed from the output y.</summary>
    internal static bool DerivativeReadsOutput(UnaryKind kind)
        => kind is UnaryKind.Sigmoid or UnaryKind.Tanh or UnaryKind.Exp or UnaryKind.Sqrt or UnaryKind.Reciprocal or UnaryKind.Elu;
}
