using System.Buffers;
using ModelAudit.Tensors.Kernels.Layout;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void ReduceForward(ReduceKind kind, int[] axes, Tensor x, Tensor y)
    {
        ReadOnlySpan<float> xs = x.Span;
        var ys = y.Span;
        var acc = ArrayPool<double>.Shared.Rent(ys.Length);
        try
        {
            double init = kind switch { ReduceKind.Max => double.NegativeInfinity, ReduceKind.Min => double.PositiveInfinity, _ => 0 };
            acc.AsSpan(0, ys.Length).Fill(init);
            var walk = ReducedWalk(x.Shape, axes);
            int len = walk.RowLength, sy = walk.InnerStride(1);
            for (long r = 0; r < walk.RowCount; r++)
            {
                if (r > 0) walk.Next();
                int ox = walk.Offsets[0], oy = walk.Offsets[1];
                for (int i = 0; i < len; i++)
                {
                    ref double a = ref acc[oy + i * sy];
                    double v = xs[ox + i];
                    a = kind switch { ReduceKind.Max => Math.Max(a, v), ReduceKind.Min => Math.Min(a, v), _ => a + v };
                }
            }
            double scale = kind == ReduceKind.Mean ? (double)ys.Length / Math.Max(1, xs.Length) : 1.0;
            for (int i = 0; i < ys.Length; i++) ys[i] = (float)(acc[i] * scale);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(acc);
        }
    }

    /// <inheritdoc/>
    public void ReduceBackward(ReduceKind kind, int[] axes, Tensor x, Tensor y, Tensor dy, Tensor dx)
    {
        bool extreme = kind is ReduceKind.Max or ReduceKind.Min;
        // Sum and mean gradients need only the shapes: x and y may already be released.
        ReadOnlySpan<float> xs = extreme ? x.Span : default, ys = extreme ? y.Span : default, g = dy.Span;
        var d = dx.Span;
        int outputCount = dy.Length;
        var ties = extreme ? ArrayPool<int>.Shared.Rent(outputCount) : [];
        try
        {
            if (extreme)
            {
                // Count ties first so each maximum gets an equal share (PyTorch's amax/amin backward).
                ties.AsSpan(0, outputCount).Clear();
                var count = ReducedWalk(x.Shape, axes);
                for (long r = 0; r < count.RowCount; r++)
                {
                    if (r > 0) count.Next();
                    int ox = count.Offsets[0], oy = count.Offsets[1], sy = count.InnerStride(1);
                    for (int i = 0; i < count.RowLength; i++)
                        if (xs[ox + i] == ys[oy + i * sy]) ties[oy + i * sy]++;
                }
            }
            float meanScale = kind == ReduceKind.Mean ? (float)((double)outputCount / Math.Max(1, dx.Length)) : 1f;
            var walk = ReducedWalk(x.Shape, axes);
            for (long r = 0; r < walk.RowCount; r++)
            {
                if (r > 0) walk.Next();
                int ox = walk.Offsets[0], oy = walk.Offsets[1], sy = walk.InnerStride(1);
                for (int i = 0; i < walk.RowLength; i++)
                {
                    int iy = oy + i * sy;
                    d[ox + i] = extreme
                        ? (xs[ox + i] == ys[iy] ? g[iy] / ties[iy] : 0f)
                        : g[iy] * meanScale;
                }
            }
        }
        finally
        {
            if (extreme) ArrayPool<int>.Shared.Return(ties);
        }
    }

    /// <summary>A walk over x with operand 0 = x (contiguous) and operand 1 = the reduced output (zero stride on reduced axes).</summary>
    private static StridedWalk ReducedWalk(TensorShape x, int[] axes)
    {
        var keptDims = x.ToArray();
        foreach (var a in axes) keptDims[a] = 1;
        var yStrides = Broadcasting.Strides(new TensorShape(keptDims), x);
        return new StridedWalk(x.Dims, [x.Strides(), yStrides], [0, 0]);
    }
}
