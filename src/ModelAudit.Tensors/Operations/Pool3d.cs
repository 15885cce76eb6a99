using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors.Operations;

/// <summary>
/// 3-D max or average pooling over [N,C,D,H,W]. Max sends the gradient to the first maximum of each
/// window; average divides by the window's element count, with or without the padding.
/// </summary>
public sealed class Pool3d : Operation
{
    /// <summary>Creates the operation.</summary>
    public Pool3d(Window3d window, bool average, bool countIncludePad)
    {
        window.Validate();
        if (average && (window.DilationD != 1 || window.DilationH != 1 || window.DilationW != 1))
            throw new ArgumentException("Average pooling has no dilation.");
        Window = window;
        Average = average;
        CountIncludePad = countIncludePad;
    }

    /// <summary>The pooling window.</summary>
    public Window3d Window { get; }

    /// <summary>True for average pooling, false for max pooling.</summary>
    public bool Average { get; }

    /// <summary>Whether average pooling counts padded elements in its divisor.</summary>
    public bool CountIncludePad { get; }

    /// <inheritdoc/>
    public override string Kind => Average ? "AveragePool3d" : "MaxPool3d";

    private Pool3dGeometry Geometry(TensorShape x) => new(x[0], x[1], x[2], x[3], x[4], Window);

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 1, 1);
        var x = inputs[0];
        OperationChecks.Rank(Kind, "X", x, 5);
        var g = Geometry(x);
        if (g.OutD < 1 || g.OutH < 1 || g.OutW < 1)
            throw new ShapeMismatchException($"{Kind} window does not fit padded input X {x}.");
        return [new TensorShape(x[0], x[1], g.OutD, g.OutH, g.OutW)];
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
        => inputs[0].Backend.Pool3dForward(Geometry(inputs[0].Shape), Average, CountIncludePad, inputs[0], outputs[0]);

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var dy = outputGradients[0];
        if (dy is null || !needInputGradient[0]) return [null];
        var backend = OperationChecks.Backend(inputs);
        var dx = backend.Allocate(inputs[0].Shape, clear: false);
        backend.Pool3dBackward(Geometry(inputs[0].Shape), Average, CountIncludePad, inputs[0], dy, dx);
        return [dx];
    }

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => !Average;
}
