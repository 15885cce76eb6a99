using ModelAudit.Tensors.Kernels.Layout;

namespace ModelAudit.Tensors.Operations;

/// <summary>
/// ONNX Where with a runtime condition: y = condition != 0 ? a : b, the three inputs broadcast together (NumPy
/// rules). The gradient of a is dy where the condition holds (summed back to a's shape), of b dy where it does not;
/// the condition gets none. Unlike a·C + b·(1 - C), an infinite fill value in the branch not taken never meets a 0.
/// </summary>
public sealed class Select : Operation
{
    /// <inheritdoc/>
    public override string Kind => "Where";

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 3, 3);
        return [Broadcasting.Shape(Broadcasting.Shape(inputs[0], inputs[1]), inputs[2])];
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
    {
        var y = outputs[0];
        ReadOnlySpan<float> c = inputs[0].Span, a = inputs[1].Span, b = inputs[2].Span;
        var yv = y.Span;
        var walk = new Walk(y.Shape, inputs[0].Shape, inputs[1].Shape, inputs[2].Shape);
        for (int i = 0; i < yv.Length; i++, walk.Next())
            yv[i] = c[walk.Offsets[0]] != 0 ? a[walk.Offsets[1]] : b[walk.Offsets[2]];
    }

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var dy = outputGradients[0];
        if (dy is null) return [null, null, null];
        var backend = OperationChecks.Backend(inputs);
        return [null, Branch(backend, inputs, dy, needInputGradient[1], taken: true), Branch(backend, inputs, dy, needInputGradient[2], taken: false)];
    }

    // dy where the condition selects this branch (taken: true for a), 0 elsewhere, summed to the branch's shape.
    private static Tensor? Branch(IComputeBackend backend, IReadOnlyList<Tensor> inputs, Tensor dy, bool needed, bool taken)
    {
        if (!needed) return null;
        var shape = inputs[taken ? 1 : 2].Shape;
        var full = backend.Allocate(dy.Shape, clear: false);
        ReadOnlySpan<float> c = inputs[0].Span, g = dy.Span;
        var fv = full.Span;
        var walk = new Walk(dy.Shape, inputs[0].Shape);
        for (int i = 0; i < fv.Length; i++, walk.Next())
            fv[i] = (c[walk.Offsets[0]] != 0) == taken ? g[i] : 0f;
        if (shape == dy.Shape) return full;
        using (full)
        {
            var dx = backend.Allocate(shape, clear: false);
            backend.SumToShape(full, dx);
            return dx;
        }
    }

    /// <inheritdoc/>
    public override bool IsDifferentiable(int inputIndex) => inputIndex != 0;

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => inputIndex == 0;

    /// <summary>Offsets into broadcast inputs while stepping through the output in row-major order.</summary>
    private sealed class Walk
    {
        private readonly int[] _dims;
        private readonly int[][] _strides;
        private readonly int[] _index;

        public Walk(TensorShape output, params TensorShape[] sources)
        {
            _dims = output.ToArray();
            _strides = [.. sources.Select(s => Broadcasting.Strides(s, output))];
            _index = new int[_dims.Length];
            Offsets = new int[sources.Length];
        }

        public int[] Offsets { get; }

        public void Next()
        {
            for (int d = _dims.Length - 1; d >= 0; d--)
            {
                for (int s = 0; s < Offsets.Length; s++) Offsets[s] += _strides[s][d];
                if (++_index[d] < _dims[d]) return;
                for (int s = 0; s < Offsets.Length; s++) Offsets[s] -= _strides[s][d] * _dims[d];
                _index[d] = 0;
            }
        }
    }
}
