using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors.Operations;

/// <summary>2-D convolution: X[N,C,H,W], W[O,C/groups,kh,kw], optional B[O] to Y[N,O,OH,OW].</summary>
public sealed class Conv2d : Operation
{
    private readonly int[] _strides;
    private readonly int[] _pads;
    private readonly int[] _dilations;

    /// <summary>Creates the operation: strides [sh,sw], pads [top,left,bottom,right], dilations [dh,dw].</summary>
    public Conv2d(int[] strides, int[] pads, int[] dilations, int groups)
    {
        if (strides.Length != 2 || pads.Length != 4 || dilations.Length != 2 || groups < 1)
            throw new ArgumentException("Conv2d needs 2 strides, 4 pads, 2 dilations and groups >= 1.");
        _strides = (int[])strides.Clone();
        _pads = (int[])pads.Clone();
        _dilations = (int[])dilations.Clone();
        Groups = groups;
    }

    /// <summary>Strides [sh, sw].</summary>
    public IReadOnlyList<int> Strides => _strides;

    /// <summary>Pads [top, left, bottom, right].</summary>
    public IReadOnlyList<int> Pads => _pads;

    /// <summary>Dilations [dh, dw].</summary>
    public IReadOnlyList<int> Dilations => _dilations;

    /// <summary>Number of channel groups.</summary>
    public int Groups { get; }

    /// <inheritdoc/>
    public override string Kind => "Conv2d";

    /// <summary>The kernel geometry for the given input and weight shapes.</summary>
    internal Conv2dGeometry Geometry(TensorShape x, TensorShape w) => new(
        x[0], x[1], x[2], x[3], w[0], w[2], w[3],
        _strides[0], _strides[1], _pads[0], _pads[1], _pads[2], _pads[3], _dilations[0], _dilations[1], Groups);

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 2, 3);
        var x = inputs[0];
        var w = inputs[1];
        OperationChecks.Rank(Kind, "X", x, 4);
        OperationChecks.Rank(Kind, "W", w, 4);
        ConvolutionShared.CheckChannels(Kind, inputs, Groups);
        var g = Geometry(x, w);
        if (g.OutHeight < 1 || g.OutWidth < 1)
            throw new ShapeMismatchException($"Conv2d kernel W {w} does not fit padded input X {x}.");
        return [new TensorShape(x[0], w[0], g.OutHeight, g.OutWidth)];
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
    {
        var g = Geometry(inputs[0].Shape, inputs[1].Shape);
        inputs[0].Backend.Conv2dForward(g, inputs[0], inputs[1], inputs.Count == 3 ? inputs[2] : null, outputs[0]);
    }

    /// <summary>
    /// The forward pass with the graph's Add of <paramref name="residual"/> and/or activation node(s) that consume this
    /// convolution's output folded in (see <see cref="IComputeBackend.Conv2dForwardFused"/>); <paramref name="output"/> receives their result.
    /// </summary>
    internal void ForwardFused(IReadOnlyList<Tensor> inputs, Tensor? residual, in FusedActivation activation, Tensor output)
    {
        var g = Geometry(inputs[0].Shape, inputs[1].Shape);
        inputs[0].Backend.Conv2dForwardFused(g, inputs[0], inputs[1], inputs.Count == 3 ? inputs[2] : null, residual, activation, output);
    }

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var dy = outputGradients[0];
        if (dy is null) return new Tensor?[inputs.Count];
        var g = Geometry(inputs[0].Shape, inputs[1].Shape);
        return ConvolutionShared.Gradients(inputs, needInputGradient,
            (backend, dx) => backend.Conv2dBackwardData(g, dy, inputs[1], dx),
            (backend, dw, db) => backend.Conv2dBackwardFilter(g, inputs[0], dy, dw, db));
    }

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => inputIndex < 2;
}
