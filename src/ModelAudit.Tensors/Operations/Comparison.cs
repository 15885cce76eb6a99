namespace ModelAudit.Tensors.Operations;

/// <summary>
/// ONNX Equal, Less, Greater, LessOrEqual, GreaterOrEqual on runtime values, with NumPy broadcasting: 1 where the
/// comparison holds, else 0 (the engine's booleans). No gradient flows to the inputs (zero, as for ArgMax).
/// </summary>
public sealed class Comparison : Operation
{
    /// <summary>Creates the operation.</summary>
    public Comparison(ComparisonKind kind) => ComparisonKind = kind;

    /// <summary>Which comparison.</summary>
    public ComparisonKind ComparisonKind { get; }

    /// <inheritdoc/>
    public override string Kind => ComparisonKind.ToString();

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs) => BooleanResult.InferShapes(Kind, inputs);

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
    {
        var (a, b, y) = (inputs[0], inputs[1], outputs[0]);
        switch (ComparisonKind)
        {
            case ComparisonKind.Equal: BooleanResult.Apply<EqualTest>(a, b, y); break;
            case ComparisonKind.Less: BooleanResult.Apply<LessTest>(a, b, y); break;
            case ComparisonKind.Greater: BooleanResult.Apply<LessTest>(b, a, y); break;
            case ComparisonKind.LessOrEqual: BooleanResult.Apply<LessOrEqualTest>(a, b, y); break;
            case ComparisonKind.GreaterOrEqual: BooleanResult.Apply<LessOrEqualTest>(b, a, y); break;
            default: throw new InvalidOperationException($"Unknown comparison {ComparisonKind}.");
        }
    }

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
        => BooleanResult.NoGradient(inputs.Count);

    /// <inheritdoc/>
    public override bool IsDifferentiable(int inputIndex) => false;

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => false;

    private readonly struct EqualTest : IFloatPredicate
    {
        public static bool Test(float a, float b) => a == b;
    }

    private readonly struct LessTest : IFloatPredicate
    {
        public static bool Test(float a, float b) => a < b;
    }

    private readonly struct LessOrEqualTest : IFloatPredicate
    {
        public static bool Test(float a, float b) => a <= b;
    }
}
