namespace ModelAudit.Tensors.Operations;

/// <summary>ONNX Pad with constant pads (all begins, then all ends); negative pads crop.</summary>
public sealed class Pad : Operation
{
    private readonly long[] _pads;

    /// <summary>Creates the operation.</summary>
    public Pad(long[] pads, PadMode mode, float value)
    {
        if (pads.Length % 2 != 0) throw new ArgumentException("Pad needs an even number of pads (begins then ends).");
        _pads = (long[])pads.Clone();
        Mode = mode;
        Value = value;
    }

    /// <summary>How the border is filled.</summary>
    public PadMode Mode { get; }

    /// <summary>The fill value for <see cref="PadMode.Constant"/>.</summary>
    public float Value { get; }

    /// <inheritdoc/>
    public override string Kind => "Pad";

    private int[] Begins => _pads.Take(_pads.Length / 2).Select(p => (int)p).ToArray();

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 1, 1);
        var x = inputs[0];
        int rank = _pads.Length / 2;
        if (rank != x.Rank)
            throw new ShapeMismatchException($"Pad has {_pads.Length} pads but input {x} has rank {x.Rank}.");
        var dims = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            long size = x[d] + _pads[d] + _pads[d + rank];
            if (size < 0) throw new ShapeMismatchException($"Pad crops more than dimension {d} of input {x}.");
            if (Mode == PadMode.Reflect && (_pads[d] >= x[d] || _pads[d + rank] >= x[d]) && (_pads[d] > 0 || _pads[d + rank] > 0))
                throw new ShapeMismatchException($"Reflect pad on dimension {d} must be smaller than that dimension of input {x}.");
            if (Mode == PadMode.Edge && x[d] == 0 && size > 0)
                throw new ShapeMismatchException($"Edge pad cannot extend empty dimension {d} of input {x}.");
            dims[d] = (int)size;
        }
        return [new TensorShape(dims)];
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
        => inputs[0].Backend.PadForward(Mode, Value, Begins, inputs[0], outputs[0]);

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var dy = outputGradients[0];
        if (dy is null || !needInputGradient[0]) return [null];
        var backend = OperationChecks.Backend(inputs);
        var dx = backend.Allocate(inputs[0].Shape, clear: false);
        backend.PadBackward(Mode, Begins, dy, dx);
        return [dx];
    }

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => false;
}
