namespace ModelAudit.Tensors.Operations;

/// <summary>Reduces over axes (empty = all), keeping them as size 1 when asked.</summary>
public sealed class Reduce : Operation
{
    private readonly int[] _axes;

    /// <summary>Creates the operation.</summary>
    public Reduce(ReduceKind kind, int[] axes, bool keepDims)
    {
        ReduceKind = kind;
        _axes = (int[])axes.Clone();
        KeepDims = keepDims;
    }

    /// <summary>Which reduction.</summary>
    public ReduceKind ReduceKind { get; }

    /// <summary>Whether reduced axes stay as size 1.</summary>
    public bool KeepDims { get; }

    /// <inheritdoc/>
    public override string Kind => "Reduce" + ReduceKind;

    private int[] Axes(TensorShape x)
    {
        if (_axes.Length == 0) return Enumerable.Range(0, x.Rank).ToArray();
        var axes = _axes.Select(a => OperationChecks.Axis(Kind, a, x)).Distinct().Order().ToArray();
        if (axes.Length != _axes.Length) throw new ShapeMismatchException($"{Kind} names an axis twice for input {x}.");
        return axes;
    }

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 1, 1);
        var x = inputs[0];
        var axes = Axes(x);
        if (ReduceKind is ReduceKind.Max or ReduceKind.Min && axes.Any(a => x[a] == 0))
            throw new ShapeMismatchException($"{Kind} over an empty axis of input {x}.");
        var dims = new List<int>();
        for (int d = 0; d < x.Rank; d++)
        {
            if (!axes.Contains(d)) dims.Add(x[d]);
            else if (KeepDims) dims.Add(1);
        }
        return [new TensorShape([.. dims])];
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
        => inputs[0].Backend.ReduceForward(ReduceKind, Axes(inputs[0].Shape), inputs[0], outputs[0]);

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var dy = outputGradients[0];
        if (dy is null || !needInputGradient[0]) return [null];
        var backend = OperationChecks.Backend(inputs);
        var dx = backend.Allocate(inputs[0].Shape, clear: false);
        backend.ReduceBackward(ReduceKind, Axes(inputs[0].Shape), inputs[0], outputs[0], dy, dx);
        return [dx];
    }

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => ReduceKind is ReduceKind.Max or ReduceKind.Min;

    /// <inheritdoc/>
    public override bool BackwardReadsOutput(int outputIndex) => ReduceKind is ReduceKind.Max or ReduceKind.Min;
}
