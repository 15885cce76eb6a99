namespace ModelAudit.Tensors.Operations;

/// <summary>
/// ONNX Slice with constant starts, ends, axes and steps: negative indices count from the end, indices
/// are clamped (so INT64 max/min mean "to the end"), and negative steps walk backwards.
/// </summary>
public sealed class Slice : Operation
{
    private readonly long[] _starts;
    private readonly long[] _ends;
    private readonly int[] _axes;
    private readonly long[] _steps;

    /// <summary>Creates the operation; all arrays have one entry per sliced axis.</summary>
    public Slice(long[] starts, long[] ends, int[] axes, long[] steps)
    {
        if (starts.Length != ends.Length || starts.Length != axes.Length || starts.Length != steps.Length)
            throw new ArgumentException("Slice starts, ends, axes and steps must have the same length.");
        if (steps.Any(s => s == 0)) throw new ArgumentException("Slice steps must be non-zero.");
        _starts = (long[])starts.Clone();
        _ends = (long[])ends.Clone();
        _axes = (int[])axes.Clone();
        _steps = (long[])steps.Clone();
    }

    /// <inheritdoc/>
    public override string Kind => "Slice";

    /// <summary>Per input axis: first index, step and number of elements taken.</summary>
    private (int[] Start, int[] Step, int[] Count) Resolve(TensorShape x)
    {
        var start = new int[x.Rank];
        var step = new int[x.Rank];
        var count = x.ToArray();
        Array.Fill(step, 1);
        var seen = new HashSet<int>();
        for (int i = 0; i < _axes.Length; i++)
        {
            int axis = OperationChecks.Axis(Kind, _axes[i], x);
            if (!seen.Add(axis)) throw new ShapeMismatchException($"Slice names axis {axis} twice for input {x}.");
            long dim = x[axis], s = _starts[i], e = _ends[i], st = _steps[i];
            if (s < 0) s += dim;
            if (e < 0) e += dim;
            long n;
            if (st > 0)
            {
                s = Math.Clamp(s, 0, dim);
                e = Math.Clamp(e, 0, dim);
                n = e > s ? (e - s + st - 1) / st : 0;
            }
            else
            {
                s = Math.Clamp(s, 0, dim - 1);
                e = Math.Clamp(e, -1, dim - 1);
                n = s > e ? (s - e + (-st) - 1) / -st : 0;
            }
            start[axis] = (int)s;
            step[axis] = (int)Math.Clamp(st, -dim - 1, dim + 1);
            count[axis] = (int)n;
        }
        return (start, step, count);
    }

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 1, 1);
        return [new TensorShape(Resolve(inputs[0]).Count)];
    }

    /// <summary>The offset and strides that read the slice out of a tensor of shape <paramref name="x"/>.</summary>
    private (int Offset, int[] Strides, int[] Count) Window(TensorShape x)
    {
        var (start, step, count) = Resolve(x);
        var strides = x.Strides();
        int offset = 0;
        var window = new int[x.Rank];
        for (int d = 0; d < x.Rank; d++)
        {
            offset += start[d] * strides[d];
            window[d] = step[d] * strides[d];
        }
        return (offset, window, count);
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
    {
        var x = inputs[0];
        var y = outputs[0];
        var (offset, strides, count) = Window(x.Shape);
        x.Backend.StridedCopy(x, offset, strides, y, 0, y.Shape.Strides(), count, accumulate: false);
    }

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var dy = outputGradients[0];
        if (dy is null || !needInputGradient[0]) return [null];
        var shape = inputs[0].Shape;
        var backend = OperationChecks.Backend(inputs);
        var dx = backend.Allocate(shape, clear: true);
        var (offset, strides, count) = Window(shape);
        backend.StridedCopy(dy, 0, dy.Shape.Strides(), dx, offset, strides, count, accumulate: false);
        return [dx];
    }

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => false;
}
