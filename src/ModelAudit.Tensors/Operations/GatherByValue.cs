namespace ModelAudit.Tensors.Operations;

/// <summary>
/// ONNX Gather whose indices are a runtime tensor (token ids fed to an embedding table), carried as
/// float32 whole numbers like every engine value (exact below 2^24). Differentiable in the data only;
/// the indices have no gradient.
/// </summary>
public sealed class GatherByValue : Operation
{
    /// <summary>Creates the operation over <paramref name="axis"/> of the data (possibly negative).</summary>
    public GatherByValue(int axis) => Axis = axis;

    /// <summary>The axis as given.</summary>
    public int Axis { get; }

    /// <inheritdoc/>
    public override string Kind => "GatherByValue";

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 2, 2);
        var x = inputs[0];
        int axis = OperationChecks.Axis(Kind, Axis, x);
        var dims = new List<int>();
        for (int d = 0; d < axis; d++) dims.Add(x[d]);
        dims.AddRange(inputs[1].ToArray());
        for (int d = axis + 1; d < x.Rank; d++) dims.Add(x[d]);
        return [new TensorShape([.. dims])];
    }

    /// <summary>The indices as non-negative ints; an <see cref="IndexValueException"/> for a value that is not a whole number in [-n, n).</summary>
    private static int[] Resolve(Tensor indices, int axisLength)
    {
        ReadOnlySpan<float> values = indices.Span;
        var result = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (!(v >= -axisLength && v < axisLength) || v != MathF.Floor(v))
                throw new IndexValueException($"index {v} at element {i} is not a whole number in [0, {axisLength})");
            result[i] = v < 0 ? (int)v + axisLength : (int)v;
        }
        return result;
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
    {
        var x = inputs[0];
        int axis = x.Shape.NormalizeAxis(Axis);
        x.Backend.GatherForward(axis, Resolve(inputs[1], x.Shape[axis]), x, outputs[0]);
    }

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var dy = outputGradients[0];
        if (dy is null || !needInputGradient[0]) return [null, null];
        var shape = inputs[0].Shape;
        int axis = shape.NormalizeAxis(Axis);
        var backend = OperationChecks.Backend(inputs);
        var dx = backend.Allocate(shape, clear: false);
        backend.GatherBackward(axis, Resolve(inputs[1], shape[axis]), dy, dx);
        return [dx, null];
    }

    /// <inheritdoc/>
    public override bool IsDifferentiable(int inputIndex) => inputIndex == 0;

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => inputIndex == 1;
}

/// <summary>A runtime index (a token id) outside the table it selects from: bad input data, not a bug.</summary>
public sealed class IndexValueException(string message) : Exception(message);
