namespace ModelAudit.Tensors.Operations;

/// <summary>
/// The k largest (or smallest) elements along an axis, sorted (ties to the lower index): outputs values and
/// indices (float32 whole numbers). The values are differentiable (the gradient goes to the selected
/// elements); the indices are not. ArgMax is TopK with k = 1 and its indices output.
/// </summary>
public sealed class TopK : Operation
{
    /// <summary>Creates the operation.</summary>
    public TopK(int axis, int k, bool largest)
    {
        if (k < 1) throw new ArgumentException($"TopK needs k >= 1, got {k}.");
        Axis = axis;
        K = k;
        Largest = largest;
    }

    /// <summary>The axis as given (possibly negative).</summary>
    public int Axis { get; }

    /// <summary>How many elements are kept.</summary>
    public int K { get; }

    /// <summary>True for the largest elements, false for the smallest.</summary>
    public bool Largest { get; }

    /// <inheritdoc/>
    public override string Kind => "TopK";

    /// <inheritdoc/>
    public override int OutputCount => 2;

    private (int Outer, int AxisLength, int Inner) Split(TensorShape x)
    {
        int axis = OperationChecks.Axis(Kind, Axis, x);
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= x[d];
        for (int d = axis + 1; d < x.Rank; d++) inner *= x[d];
        return (outer, x[axis], inner);
    }

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 1, 1);
        var x = inputs[0];
        int axis = OperationChecks.Axis(Kind, Axis, x);
        if (K > x[axis]) throw new ShapeMismatchException($"TopK k {K} is larger than axis {axis} of input {x}.");
        var dims = x.ToArray();
        dims[axis] = K;
        var shape = new TensorShape(dims);
        return [shape, shape];
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
    {
        var (outer, length, inner) = Split(inputs[0].Shape);
        inputs[0].Backend.TopKForward(outer, length, inner, K, Largest, inputs[0], outputs[0], outputs[1]);
    }

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var dValues = outputGradients[0];
        if (dValues is null || !needInputGradient[0]) return [null];
        var (outer, length, inner) = Split(inputs[0].Shape);
        var backend = OperationChecks.Backend(inputs);
        var dx = backend.Allocate(inputs[0].Shape, clear: false);
        backend.TopKBackward(outer, length, inner, K, outputs[1], dValues, dx);
        return [dx];
    }

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => false;

    /// <inheritdoc/>
    public override bool BackwardReadsOutput(int outputIndex) => outputIndex == 1;
}
