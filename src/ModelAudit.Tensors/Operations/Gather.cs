namespace ModelAudit.Tensors.Operations;

/// <summary>ONNX Gather of float data with constant indices (negative count from the end).</summary>
public sealed class Gather : Operation
{
    private readonly long[] _indices;
    private readonly int[] _indicesShape;

    /// <summary>Creates the operation; <paramref name="indices"/> are laid out row-major in <paramref name="indicesShape"/>.</summary>
    public Gather(int axis, long[] indices, int[] indicesShape)
    {
        if (new TensorShape(indicesShape).ElementCount != indices.Length)
            throw new ArgumentException($"Gather has {indices.Length} indices but indices shape [{string.Join(",", indicesShape)}].");
        Axis = axis;
        _indices = (long[])indices.Clone();
        _indicesShape = (int[])indicesShape.Clone();
    }

    /// <summary>The axis as given (possibly negative).</summary>
    public int Axis { get; }

    /// <inheritdoc/>
    public override string Kind => "Gather";

    private int[] Resolve(TensorShape x, int axis)
    {
        int n = x[axis];
        var result = new int[_indices.Length];
        for (int i = 0; i < result.Length; i++)
        {
            long v = _indices[i] < 0 ? _indices[i] + n : _indices[i];
            if (v < 0 || v >= n) throw new ShapeMismatchException($"Gather index {_indices[i]} is out of range for axis {axis} of input {x}.");
            result[i] = (int)v;
        }
        return result;
    }

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 1, 1);
        var x = inputs[0];
        int axis = OperationChecks.Axis(Kind, Axis, x);
        Resolve(x, axis);
        var dims = new List<int>();
        for (int d = 0; d < axis; d++) dims.Add(x[d]);
        dims.AddRange(_indicesShape);
        for (int d = axis + 1; d < x.Rank; d++) dims.Add(x[d]);
        return [new TensorShape([.. dims])];
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
    {
        var x = inputs[0];
        int axis = x.Shape.NormalizeAxis(Axis);
        x.Backend.GatherForward(axis, Resolve(x.Shape, axis), x, outputs[0]);
    }

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var dy = outputGradients[0];
        if (dy is null || !needInputGradient[0]) return [null];
        var shape = inputs[0].Shape;
        int axis = shape.NormalizeAxis(Axis);
        var backend = OperationChecks.Backend(inputs);
        var dx = backend.Allocate(shape, clear: false);
        backend.GatherBackward(axis, Resolve(shape, axis), dy, dx);
        return [dx];
    }

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => false;
}
