using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors.Operations;

/// <summary>
/// 2-D transposed convolution: X[N,Cin,H,W], W[Cin,Cout/groups,kh,kw] to Y[N,Cout,OH,OW] with
/// OH = (H-1)·sh - top - bottom + dh·(kh-1) + output_padding_h + 1. It is the data gradient of the
/// convolution that maps Y's shape to X's with the same weights, so it runs on the convolution kernels:
/// forward = that convolution's backward-data, gradient of X = its forward, gradient of W = its
/// backward-filter with the roles of input and output gradient swapped. Bias is added by the importer.
/// </summary>
public sealed class ConvTranspose2d : Operation
{
    private readonly int[] _strides;
    private readonly int[] _pads;
    private readonly int[] _dilations;
    private readonly int[] _outputPadding;

    /// <summary>Creates the operation: strides [sh,sw], pads [top,left,bottom,right], dilations [dh,dw], output padding [h,w].</summary>
    public ConvTranspose2d(int[] strides, int[] pads, int[] dilations, int[] outputPadding, int groups)
    {
        if (strides.Length != 2 || pads.Length != 4 || dilations.Length != 2 || outputPadding.Length != 2 || groups < 1)
            throw new ArgumentException("ConvTranspose2d needs 2 strides, 4 pads, 2 dilations, 2 output paddings and groups >= 1.");
        for (int i = 0; i < 2; i++)
            if (outputPadding[i] < 0 || (outputPadding[i] >= strides[i] && outputPadding[i] >= dilations[i]))
                throw new ArgumentException($"ConvTranspose2d output padding {outputPadding[i]} must be smaller than the stride {strides[i]} or the dilation {dilations[i]}.");
        _strides = (int[])strides.Clone();
        _pads = (int[])pads.Clone();
        _dilations = (int[])dilations.Clone();
        _outputPadding = (int[])outputPadding.Clone();
        Groups = groups;
    }

    /// <summary>Number of channel groups.</summary>
    public int Groups { get; }

    /// <inheritdoc/>
    public override string Kind => "ConvTranspose2d";

    private long OutputSize(int input, int axis, int kernel)
        => ((long)input - 1) * _strides[axis] - _pads[axis] - _pads[axis + 2] + (long)_dilations[axis] * (kernel - 1) + _outputPadding[axis] + 1;

    // The convolution whose input has Y's shape and whose output has X's.
    private Conv2dGeometry Geometry(TensorShape x, TensorShape w)
        => new(x[0], w[1] * Groups, (int)OutputSize(x[2], 0, w[2]), (int)OutputSize(x[3], 1, w[3]), x[1], w[2], w[3],
            _strides[0], _strides[1], _pads[0], _pads[1], _pads[2], _pads[3], _dilations[0], _dilations[1], Groups);

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 2, 2);
        var x = inputs[0];
        var w = inputs[1];
        OperationChecks.Rank(Kind, "X", x, 4);
        OperationChecks.Rank(Kind, "W", w, 4);
        if (w[0] != x[1] || x[1] % Groups != 0)
            throw new ShapeMismatchException($"ConvTranspose2d with {Groups} groups: input X {x} and weights W {w} disagree on channels.");
        long oh = OutputSize(x[2], 0, w[2]), ow = OutputSize(x[3], 1, w[3]);
        if (oh < 1 || ow < 1 || oh > int.MaxValue || ow > int.MaxValue)
            throw new ShapeMismatchException($"ConvTranspose2d of X {x} with W {w} gives an output of {oh}x{ow}.");
        var g = Geometry(x, w);
        if (g.OutHeight != x[2] || g.OutWidth != x[3])
            throw new ShapeMismatchException($"ConvTranspose2d geometry for X {x} and W {w} is inconsistent.");
        return [new TensorShape(x[0], w[1] * Groups, (int)oh, (int)ow)];
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
        => inputs[0].Backend.Conv2dBackwardData(Geometry(inputs[0].Shape, inputs[1].Shape), inputs[0], inputs[1], outputs[0]);

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var result = new Tensor?[2];
        var dy = outputGradients[0];
        if (dy is null) return result;
        var backend = OperationChecks.Backend(inputs);
        var g = Geometry(inputs[0].Shape, inputs[1].Shape);
        if (needInputGradient[0])
        {
            result[0] = backend.Allocate(inputs[0].Shape, clear: false);
            backend.Conv2dForward(g, dy, inputs[1], null, result[0]!);
        }
        if (needInputGradient[1])
        {
            result[1] = backend.Allocate(inputs[1].Shape, clear: false);
            backend.Conv2dBackwardFilter(g, dy, inputs[0], result[1]!, null);
        }
        return result;
    }

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => true;
}
