using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors.Operations;

/// <summary>3-D convolution: X[N,C,D,H,W], W[O,C/groups,kd,kh,kw], optional B[O] to Y[N,O,OD,OH,OW].</summary>
public sealed class Conv3d : Operation
{
    /// <summary>Creates the operation from its window (strides, pads, dilations; no ceil mode; the kernel sizes are W's) and groups.</summary>
    public Conv3d(Window3d window, int groups)
    {
        if (window.CeilMode || groups < 1) throw new ArgumentException("Conv3d has no ceil mode and needs groups >= 1.");
        (window with { KernelD = 1, KernelH = 1, KernelW = 1 }).Validate();
        Window = window;
        Groups = groups;
    }

    /// <summary>Strides, pads and dilations (the kernel sizes are taken from W).</summary>
    public Window3d Window { get; }

    /// <summary>Number of channel groups.</summary>
    public int Groups { get; }

    /// <inheritdoc/>
    public override string Kind => "Conv3d";

    private Conv3dGeometry Geometry(TensorShape x, TensorShape w)
        => new(x[0], x[1], x[2], x[3], x[4], w[0], Window with { KernelD = w[2], KernelH = w[3], KernelW = w[4] }, Groups);

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 2, 3);
        var x = inputs[0];
        var w = inputs[1];
        OperationChecks.Rank(Kind, "X", x, 5);
        OperationChecks.Rank(Kind, "W", w, 5);
        ConvolutionShared.CheckChannels(Kind, inputs, Groups);
        var g = Geometry(x, w);
        if (g.OutD < 1 || g.OutH < 1 || g.OutW < 1)
            throw new ShapeMismatchException($"Conv3d kernel W {w} does not fit padded input X {x}.");
        return [new TensorShape(x[0], w[0], g.OutD, g.OutH, g.OutW)];
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
        => inputs[0].Backend.Conv3dForward(Geometry(inputs[0].Shape, inputs[1].Shape), inputs[0], inputs[1], inputs.Count == 3 ? inputs[2] : null, outputs[0]);

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var dy = outputGradients[0];
        if (dy is null) return new Tensor?[inputs.Count];
        var g = Geometry(inputs[0].Shape, inputs[1].Shape);
        return ConvolutionShared.Gradients(inputs, needInputGradient,
            (backend, dx) => backend.Conv3dBackwardData(g, dy, inputs[1], dx),
            (backend, dw, db) => backend.Conv3dBackwardFilter(g, inputs[0], dy, dw, db));
    }

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => inputIndex < 2;
}
