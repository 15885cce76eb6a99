namespace ModelAudit.Tensors.Operations;

/// <summary>Joins any number of inputs along an axis (negative counts from the end).</summary>
public sealed class Concat : Operation
{
    /// <summary>Creates the operation.</summary>
    public Concat(int axis) => Axis = axis;

    /// <summary>The axis as given (possibly negative).</summary>
    public int Axis { get; }

    /// <inheritdoc/>
    public override string Kind => "Concat";

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        if (inputs.Count == 0) throw new ShapeMismatchException("Concat needs at least one input.");
        var first = inputs[0];
        int axis = OperationChecks.Axis(Kind, Axis, first);
        var dims = first.ToArray();
        dims[axis] = 0;
        foreach (var s in inputs)
        {
            bool fits = s.Rank == first.Rank;
            for (int d = 0; fits && d < s.Rank; d++) fits = d == axis || s[d] == first[d];
            if (!fits)
                throw new ShapeMismatchException($"Concat along axis {Axis}: input {s} does not match {first} off the axis.");
            dims[axis] += s[axis];
        }
        return [new TensorShape(dims)];
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
    {
        var y = outputs[0];
        int axis = y.Shape.NormalizeAxis(Axis);
        var yStrides = y.Shape.Strides();
        int offset = 0;
        foreach (var x in inputs)
        {
            x.Backend.StridedCopy(x, 0, x.Shape.Strides(), y, offset * yStrides[axis], yStrides, x.Shape.ToArray(), accumulate: false);
            offset += x.Shape[axis];
        }
    }

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var result = new Tensor?[inputs.Count];
        var dy = outputGradients[0];
        if (dy is null) return result;
        var backend = OperationChecks.Backend(inputs);
        int axis = dy.Shape.NormalizeAxis(Axis);
        var yStrides = dy.Shape.Strides();
        int offset = 0;
        for (int i = 0; i < inputs.Count; i++)
        {
            var shape = inputs[i].Shape;
            if (needInputGradient[i])
            {
                var dx = backend.Allocate(shape, clear: false);
                backend.StridedCopy(dy, offset * yStrides[axis], yStrides, dx, 0, shape.Strides(), shape.ToArray(), accumulate: false);
                result[i] = dx;
            }
            offset += shape[axis];
        }
        return result;
    }

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => false;
}
