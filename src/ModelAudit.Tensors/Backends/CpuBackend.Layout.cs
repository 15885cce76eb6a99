using ModelAudit.Tensors.Kernels.Layout;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void StridedCopy(Tensor source, int sourceOffset, int[] sourceStrides,
        Tensor destination, int destinationOffset, int[] destinationStrides, int[] extents, bool accumulate)
    {
        ReadOnlySpan<float> src = source.Span;
        var dst = destination.Span;
        var walk = new StridedWalk(extents, [sourceStrides, destinationStrides], [sourceOffset, destinationOffset]);
        int len = walk.RowLength, ss = walk.InnerStride(0), ds = walk.InnerStride(1);
        for (long r = 0; r < walk.RowCount; r++)
        {
            if (r > 0) walk.Next();
            int os = walk.Offsets[0], od = walk.Offsets[1];
            if (!accumulate && ss == 1 && ds == 1) src.Slice(os, len).CopyTo(dst.Slice(od, len));
            else if (accumulate)
                for (int i = 0; i < len; i++) dst[od + i * ds] += src[os + i * ss];
            else
                for (int i = 0; i < len; i++) dst[od + i * ds] = src[os + i * ss];
        }
    }

    /// <inheritdoc/>
    public void PadForward(PadMode mode, float value, int[] begins, Tensor x, Tensor y)
    {
        ReadOnlySpan<float> xs = x.Span;
        var ys = y.Span;
        var sources = PadSourceOffsets(mode, begins, x.Shape, y.Shape);
        for (int i = 0; i < ys.Length; i++) ys[i] = sources[i] >= 0 ? xs[sources[i]] : value;
    }

    /// <inheritdoc/>
    public void PadBackward(PadMode mode, int[] begins, Tensor dy, Tensor dx)
    {
        ReadOnlySpan<float> g = dy.Span;
        var d = dx.Span;
        d.Clear();
        var sources = PadSourceOffsets(mode, begins, dx.Shape, dy.Shape);
        for (int i = 0; i < g.Length; i++)
            if (sources[i] >= 0) d[sources[i]] += g[i];
    }

    /// <summary>For each axis, the source coordinate of every output coordinate, or -1 for constant fill.</summary>
    private static int[][] PadSourceMaps(PadMode mode, int[] begins, TensorShape input, TensorShape output)
    {
        var maps = new int[input.Rank][];
        for (int axis = 0; axis < input.Rank; axis++)
        {
            int n = input[axis];
            var map = new int[output[axis]];
            for (int o = 0; o < map.Length; o++)
            {
                int c = o - begins[axis];
                if (c < 0 || c >= n)
                {
                    c = mode switch
                    {
                        PadMode.Constant => -1,
                        PadMode.Edge => Math.Clamp(c, 0, n - 1),
                        _ => Reflect(c, n),
                    };
                }
                map[o] = c;
            }
            maps[axis] = map;
        }
        return maps;
    }

    private static int Reflect(int c, int n)
    {
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        c %= period;
        if (c < 0) c += period;
        return c < n ? c : period - c;
    }

    /// <summary>The flat source offset of every output element in row-major order (-1 where a constant fills it).</summary>
    private static int[] PadSourceOffsets(PadMode mode, int[] begins, TensorShape input, TensorShape output)
    {
        var maps = PadSourceMaps(mode, begins, input, output);
        var inStrides = input.Strides();
        int rank = output.Rank;
        var index = new int[rank];
        var sources = new int[output.ElementCount];
        for (int outIndex = 0; outIndex < sources.Length; outIndex++)
        {
            int offset = 0;
            for (int a = 0; a < rank; a++)
            {
                int c = maps[a][index[a]];
                if (c < 0)
                {
                    offset = -1;
                    break;
                }
                offset += c * inStrides[a];
            }
            sources[outIndex] = offset;
            for (int a = rank - 1; a >= 0; a--)
            {
                if (++index[a] < output[a]) break;
                index[a] = 0;
            }
        }
        return sources;
    }

    /// <inheritdoc/>
    public void GatherForward(int axis, int[] indices, Tensor x, Tensor y)
    {
        ReadOnlySpan<float> xs = x.Span;
        var ys = y.Span;
        var (outer, axisLength, inner) = AxisSplit(x.Shape, axis);
        int o = 0;
        for (int p = 0; p < outer; p++)
        {
            foreach (var idx in indices)
            {
                xs.Slice((p * axisLength + idx) * inner, inner).CopyTo(ys.Slice(o, inner));
                o += inner;
            }
        }
    }

    /// <inheritdoc/>
    public void GatherBackward(int axis, int[] indices, Tensor dy, Tensor dx)
    {
        ReadOnlySpan<float> g = dy.Span;
        var d = dx.Span;
        d.Clear();
        var (outer, axisLength, inner) = AxisSplit(dx.Shape, axis);
        int o = 0;
        for (int p = 0; p < outer; p++)
        {
            foreach (var idx in indices)
            {
                var target = d.Slice((p * axisLength + idx) * inner, inner);
                System.Numerics.Tensors.TensorPrimitives.Add(target, g.Slice(o, inner), target);
                o += inner;
            }
        }
    }

    private static (int Outer, int AxisLength, int Inner) AxisSplit(TensorShape shape, int axis)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Rank; i++) inner *= shape[i];
        return (outer, shape[axis], inner);
    }
}
