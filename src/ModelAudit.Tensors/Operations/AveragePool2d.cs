using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors.Operations;

/// <summary>2-D average pooling over [N,C,H,W].</summary>
public sealed class AveragePool2d : Operation
{
    private readonly int[] _kernel;
    private readonly int[] _strides;
    private readonly int[] _pads;

    /// <summary>Creates the operation: kernel [kh,kw], strides [sh,sw], pads [top,left,bottom,right].</summary>
    public AveragePool2d(int[] kernel, int[] strides, int[] pads, bool ceilMode, bool countIncludePad)
    {
        if (kernel.Length != 2 || strides.Length != 2 || pads.Length != 4)
            throw new ArgumentException("AveragePool2d needs 2 kernel sizes, 2 strides and 4 pads.");
        _kernel = (int[])kernel.Clone();
        _strides = (int[])strides.Clone();
        _pads = (int[])pads.Clone();
        CeilMode = ceilMode;
        CountIncludePad = countIncludePad;
    }

    /// <summary>Whether output sizes round up.</summary>
    public bool CeilMode { get; }

    /// <summary>Whether padded positions count in the divisor.</summary>
    public bool CountIncludePad { get; }

    /// <inheritdoc/>
    public override string Kind => "AveragePool2d";

    internal Pool2dGeometry Geometry(TensorShape x) => new(
        x[0], x[1], x[2], x[3], _kernel[0], _kernel[1], _strides[0], _strides[1],
        _pads[0], _pads[1], _pads[2], _pads[3], 1, 1, CeilMode);

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 1, 1);
        OperationChecks.Rank(Kind, "X", inputs[0], 4);
        var g = Geometry(inputs[0]);
        if (g.OutHeight < 1 || g.OutWidth < 1)
            throw new ShapeMismatchException($"AveragePool2d kernel [{_kernel[0]},{_kernel[1]}] does not fit padded input X {inputs[0]}.");
        return [new TensorShape(g.Batch, g.Channels, g.OutHeight, g.OutWidth)];
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
        => inputs[0].Backend.AveragePool2dForward(Geometry(inputs[0].Shape), CountIncludePad, inputs[0], outputs[0]);

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var dy = outputGradients[0];
        if (dy is null || !needInputGradient[0]) return [null];
        var backend = OperationChecks.Backend(inputs);
        var dx = backend.Allocate(inputs[0].Shape, clear: false);
        backend.AveragePool2dBackward(Geometry(inputs[0].Shape), CountIncludePad, dy, dx);
        return [dx];
    }

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => false;
}
