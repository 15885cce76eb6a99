namespace ModelAudit.Tensors.Operations;

/// <summary>
/// ONNX And, Or, Xor on runtime booleans (floats, non-zero is true), with NumPy broadcasting: 1 or 0. No gradient
/// flows to the inputs.
/// </summary>
public sealed class Logical : Operation
{
    /// <summary>Creates the operation.</summary>
    public Logical(LogicalKind kind) => LogicalKind = kind;

    /// <summary>Which operation.</summary>
    public LogicalKind LogicalKind { get; }

    /// <inheritdoc/>
    public override string Kind => LogicalKind.ToString();

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs) => BooleanResult.InferShapes(Kind, inputs);

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
    {
        var (a, b, y) = (inputs[0], inputs[1], outputs[0]);
        switch (LogicalKind)
        {
            case LogicalKind.And: BooleanResult.Apply<AndTest>(a, b, y); break;
            case LogicalKind.Or: BooleanResult.Apply<OrTest>(a, b, y); break;
            case LogicalKind.Xor: BooleanResult.Apply<XorTest>(a, b, y); break;
            default: throw new InvalidOperationException($"Unknown logical operation {LogicalKind}.");
        }
    }

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
        => BooleanResult.NoGradient(inputs.Count);

    /// <inheritdoc/>
    public override bool IsDifferentiable(int inputIndex) => false;

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => false;

    private readonly struct AndTest : IFloatPredicate
    {
        public static bool Test(float a, float b) => a != 0 && b != 0;
    }

    private readonly struct OrTest : IFloatPredicate
    {
        public static bool Test(float a, float b) => a != 0 || b != 0;
    }

    private readonly struct XorTest : IFloatPredicate
    {
        public static bool Test(float a, float b) => (a != 0) != (b != 0);
    }
}
