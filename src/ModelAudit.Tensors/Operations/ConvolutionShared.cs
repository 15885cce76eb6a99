namespace ModelAudit.Tensors.Operations;

/// <summary>What the N-d convolutions (<see cref="Conv2d"/>, <see cref="Conv3d"/>) share apart from their geometry.</summary>
internal static class ConvolutionShared
{
    /// <summary>X [N, C, ...] and W [O, C / groups, ...] agree on channels, and a bias is [O].</summary>
    public static void CheckChannels(string kind, IReadOnlyList<TensorShape> inputs, int groups)
    {
        var x = inputs[0];
        var w = inputs[1];
        if (x[1] % groups != 0 || w[0] % groups != 0 || w[1] * groups != x[1])
            throw new ShapeMismatchException($"{kind} with {groups} groups: input X {x} and weights W {w} disagree on channels.");
        if (inputs.Count == 3 && (inputs[2].Rank != 1 || inputs[2][0] != w[0]))
            throw new ShapeMismatchException($"{kind} bias B {inputs[2]} must be [{w[0]}] for weights W {w}.");
    }

    /// <summary>
    /// The gradients of X, W and B from the backend's backward-data (into a new dX) and backward-filter (into a new
    /// dW and, when asked, dB) kernels; dW is computed and dropped when only the bias needs a gradient.
    /// </summary>
    public static Tensor?[] Gradients(IReadOnlyList<Tensor> inputs, IReadOnlyList<bool> needInputGradient,
        Action<IComputeBackend, Tensor> backwardData, Action<IComputeBackend, Tensor, Tensor?> backwardFilter)
    {
        var result = new Tensor?[inputs.Count];
        var backend = OperationChecks.Backend(inputs);
        if (needInputGradient[0])
        {
            var dx = backend.Allocate(inputs[0].Shape, clear: false);
            backwardData(backend, dx);
            result[0] = dx;
        }
        bool needBias = inputs.Count == 3 && needInputGradient[2];
        if (needInputGradient[1] || needBias)
        {
            var dw = backend.Allocate(inputs[1].Shape, clear: false);
            var db = needBias ? backend.Allocate(inputs[2].Shape, clear: false) : null;
            backwardFilter(backend, dw, db);
            if (needInputGradient[1]) result[1] = dw;
            else dw.Dispose();
            if (needBias) result[2] = db;
        }
        return result;
    }
}
