namespace ModelAudit.Tensors.Operations;

/// <summary>Splits along an axis into parts of the given sizes (one output per size).</summary>
public sealed class Split : Operation
{
    private readonly int[] _sizes;

    /// <summary>Creates the operation.</summary>
    public Split(int axis, int[] sizes)
    {
        Axis = axis;
        _sizes = (int[])sizes.Clone();
    }

    /// <summary>The axis as given (possibly negative).</summary>
    public int Axis { get; }

    /// <summary>Sizes of the parts along the axis.</summary>
    public IReadOnlyList<int> Sizes => _sizes;

    /// <inheritdoc/>
    public override string Kind => "Split";

    /// <inheritdoc/>
    public override int OutputCount => _sizes.Length;

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 1, 1);
        var x = inputs[0];
        int axis = OperationChecks.Axis(Kind, Axis, x);
        if (_sizes.Sum() != x[axis] || _sizes.Any(s => s < 0))
            throw new ShapeMismatchException($"Split sizes [{string.Join(",", _sizes)}] do not add up to dimension {axis} of input {x}.");
        return _sizes.Select(s =>
        {
            var dims = x.ToArray();
            dims[axis] = s;
            return new TensorShape(dims);
        }).ToArray();
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
    {
        var x = inputs[0];
        int axis = x.Shape.NormalizeAxis(Axis);
        var xStrides = x.Shape.Strides();
        int offset = 0;
        foreach (var y in outputs)
        {
            x.Backend.StridedCopy(x, offset * xStrides[axis], xStrides, y, 0, y.Shape.Strides(), y.Shape.ToArray(), accumulate: false);
            offset += y.Shape[axis];
        }
    }

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        if (!needInputGradient[0] || outputGradients.All(g => g is null)) return [null];
        var x = inputs[0];
        var backend = OperationChecks.Backend(inputs);
        int axis = x.Shape.NormalizeAxis(Axis);
        var xStrides = x.Shape.Strides();
        var dx = backend.Allocate(x.Shape, clear: true);
        int offset = 0;
        for (int i = 0; i < _sizes.Length; i++)
        {
            var dy = outputGradients[i];
            if (dy is not null)
                backend.StridedCopy(dy, 0, dy.Shape.Strides(), dx, offset * xStrides[axis], xStrides, dy.Shape.ToArray(), accumulate: false);
            offset += _sizes[i];
        }
        return [dx];
    }

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => false;
}
