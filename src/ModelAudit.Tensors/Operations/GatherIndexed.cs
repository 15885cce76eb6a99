namespace ModelAudit.Tensors.Operations;

/// <summary>
/// ONNX Gather whose indices arrive at run time (token ids into an embedding table): input 0 is the float data,
/// input 1 the indices, held as whole numbers in a float tensor (exact below 2^24, checked when the data is
/// read). No gradient flows to the indices; the data's gradient adds the output gradient into the gathered rows.
/// </summary>
public sealed class GatherIndexed : Operation
{
    /// <summary>Creates the operation along <paramref name="axis"/> (possibly negative).</summary>
    public GatherIndexed(int axis)
    {
        Axis = axis;
    }

    /// <summary>The axis as given (possibly negative).</summary>
    public int Axis { get; }

    /// <inheritdoc/>
    public override string Kind => "Gather";

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 2, 2);
        var x = inputs[0];
        int axis = OperationChecks.Axis(Kind, Axis, x);
        var dims = new List<int>();
        for (int d = 0; d < axis; d++) dims.Add(x[d]);
        dims.AddRange(inputs[1].Dims.ToArray());
        for (int d = axis + 1; d < x.Rank; d++) dims.Add(x[d]);
        return [new TensorShape([.. dims])];
    }

    /// <summary>The indices as non-negative ints (negative ones count from the end), checked against the axis.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is not a whole number inside the axis; the message gives it and its position.</exception>
    private static int[] Resolve(Tensor indices, int length)
    {
        ReadOnlySpan<float> values = indices.Span;
        var result = new int[values.Length];
        for (int i = 0; i < result.Length; i++)
        {
            float v = values[i];
            double index = v < 0 ? v + length : v;
            if (index != Math.Floor(index) || index < 0 || index >= length)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Gather index {v} at position {i} of the indices is outside [{-length}, {length}).");
            result[i] = (int)index;
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
