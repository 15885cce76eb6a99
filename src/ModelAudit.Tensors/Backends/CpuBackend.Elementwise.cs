using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using ModelAudit.Tensors.Kernels;
using ModelAudit.Tensors.Kernels.Elementwise;
using ModelAudit.Tensors.Kernels.Layout;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void BinaryForward(BinaryKind kind, Tensor a, Tensor b, Tensor y)
    {
        var av = a.Span;
        var bv = b.Span;
        var yv = y.Span;
        if (a.Shape == b.Shape)
        {
            BinaryRow(kind, av, bv, yv);
            return;
        }
        if (a.Shape == y.Shape && MiddleAxisBroadcast(y.Shape, b.Shape, out int outer, out int mid, out int inner))
        {
            // y[o, m, :] = a[o, m, :] op b[o, :]: one row call per (o, m), no strided walk.
            KernelParallel.For(outer, (long)mid * inner, (first, end) =>
            {
                ReadOnlySpan<float> sa = a.Span, sb = b.Span;
                var sy = y.Span;
                for (int o = first; o < end; o++)
                {
                    var row = sb.Slice(o * inner, inner);
                    for (int m = 0; m < mid; m++)
                    {
                        int at = (o * mid + m) * inner;
                        BinaryRow(kind, sa.Slice(at, inner), row, sy.Slice(at, inner));
                    }
                }
            });
            return;
        }
        if (kind is BinaryKind.Add or BinaryKind.Sub or BinaryKind.Mul or BinaryKind.Div
            && (a.Shape == y.Shape || b.Shape == y.Shape)
            && TrailingBroadcast(y.Shape, a.Shape == y.Shape ? b.Shape : a.Shape, out int rows, out int length))
        {
            // y[o, :] = a[o, :] op b[o] or a[o] op b[o, :] (a per-(sample, channel) scale such as squeeze-excitation):
            // one vector call per row instead of a strided walk.
            bool leftFull = a.Shape == y.Shape;
            if (kind == BinaryKind.Mul)
            {
                ScaleRows(leftFull ? a : b, leftFull ? b : a, y, rows, length);
                return;
            }
            KernelParallel.For(rows, length, (first, end) =>
            {
                ReadOnlySpan<float> sa = a.Span, sb = b.Span;
                var sy = y.Span;
                for (int o = first; o < end; o++)
                {
                    if (leftFull) BinaryRowScalarRight(kind, sa.Slice(o * length, length), sb[o], sy.Slice(o * length, length));
                    else BinaryRowScalarLeft(kind, sa[o], sb.Slice(o * length, length), sy.Slice(o * length, length));
                }
            });
            return;
        }
        var walk = new StridedWalk(y.Shape.Dims, [Broadcasting.Strides(a.Shape, y.Shape), Broadcasting.Strides(b.Shape, y.Shape), y.Shape.Strides()], [0, 0, 0]);
        int len = walk.RowLength, sa = walk.InnerStride(0), sb = walk.InnerStride(1);
        for (long r = 0; r < walk.RowCount; r++)
        {
            if (r > 0) walk.Next();
            int oa = walk.Offsets[0], ob = walk.Offsets[1], oy = walk.Offsets[2];
            if (sa == 1 && sb == 1) BinaryRow(kind, av.Slice(oa, len), bv.Slice(ob, len), yv.Slice(oy, len));
            else if (sa == 1 && sb == 0 && BinaryRowScalarRight(kind, av.Slice(oa, len), bv[ob], yv.Slice(oy, len))) continue;
            else if (sa == 0 && sb == 1 && BinaryRowScalarLeft(kind, av[oa], bv.Slice(ob, len), yv.Slice(oy, len))) continue;
            else
                for (int i = 0; i < len; i++) yv[oy + i] = Apply(kind, av[oa + i * sa], bv[ob + i * sb]);
        }
    }

    /// <summary>y[r, :] = x[r, :] * scale[r] (<see cref="ChannelScale"/>), in parallel over rows.</summary>
    private static unsafe void ScaleRows(Tensor x, Tensor scale, Tensor y, int rows, int length)
    {
        fixed (float* px = x.Span, ps = scale.Span, py = y.Span)
        {
            float* xs = px, ss = ps, ys = py;
            KernelParallel.For(rows, length, (first, end) => ChannelScale.Rows(xs, ss, ys, length, first, end));
        }
    }

    private static void BinaryRow(BinaryKind kind, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        switch (kind)
        {
            case BinaryKind.Add: TensorPrimitives.Add(a, b, y); break;
            case BinaryKind.Sub: TensorPrimitives.Subtract(a, b, y); break;
            case BinaryKind.Mul: TensorPrimitives.Multiply(a, b, y); break;
            case BinaryKind.Div: TensorPrimitives.Divide(a, b, y); break;
            default:
                for (int i = 0; i < y.Length; i++) y[i] = Apply(kind, a[i], b[i]);
                break;
        }
    }

    /// <summary>A row against one broadcast right operand (per-channel scale or shift); false when the kind has no vector form.</summary>
    private static bool BinaryRowScalarRight(BinaryKind kind, ReadOnlySpan<float> a, float b, Span<float> y)
    {
        switch (kind)
        {
            case BinaryKind.Add: TensorPrimitives.Add(a, b, y); return true;
            case BinaryKind.Sub: TensorPrimitives.Subtract(a, b, y); return true;
            case BinaryKind.Mul: TensorPrimitives.Multiply(a, b, y); return true;
            case BinaryKind.Div: TensorPrimitives.Divide(a, b, y); return true;
            default: return false;
        }
    }

    /// <summary>One broadcast left operand against a row; false when the kind has no vector form.</summary>
    private static bool BinaryRowScalarLeft(BinaryKind kind, float a, ReadOnlySpan<float> b, Span<float> y)
    {
        switch (kind)
        {
            case BinaryKind.Add: TensorPrimitives.Add(b, a, y); return true;
            case BinaryKind.Sub: TensorPrimitives.Subtract(a, b, y); return true;
            case BinaryKind.Mul: TensorPrimitives.Multiply(b, a, y); return true;
            case BinaryKind.Div: TensorPrimitives.Divide(a, b, y); return true;
            default: return false;
        }
    }

    private static float Apply(BinaryKind kind, float a, float b) => kind switch
    {
        BinaryKind.Add => a + b,
        BinaryKind.Sub => a - b,
        BinaryKind.Mul => a * b,
        BinaryKind.Div => a / b,
        BinaryKind.Pow => MathF.Pow(a, b),
        BinaryKind.Max => MathF.Max(a, b),
        BinaryKind.Min => MathF.Min(a, b),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <inheritdoc/>
    public void BinaryBackward(BinaryKind kind, Tensor a, Tensor b, Tensor dy, Tensor? da, Tensor? db)
    {
        if (kind is BinaryKind.Add or BinaryKind.Sub)
        {
            // Shapes only: the executor may already have released a and b.
            if (da is not null) SumToShape(dy, da);
            if (db is not null)
            {
                SumToShape(dy, db);
                if (kind == BinaryKind.Sub) TensorPrimitives.Negate(db.Span, db.Span);
            }
            return;
        }
        var av = a.Span;
        var bv = b.Span;
        var g = dy.Span;
        var gaSpan = da is null ? Span<float>.Empty : da.Span;
        var gbSpan = db is null ? Span<float>.Empty : db.Span;
        gaSpan.Clear();
        gbSpan.Clear();
        int[][] strides = [Broadcasting.Strides(a.Shape, dy.Shape), Broadcasting.Strides(b.Shape, dy.Shape), dy.Shape.Strides()];
        if (kind == BinaryKind.Mul)
        {
            var rows = StridedWalk.Coalesced(dy.Shape.Dims, strides, [0, 0, 0]);
            if (MultiplyGradient.Handles(rows.InnerStride(0), rows.InnerStride(1)))
            {
                MultiplyRows(rows, av, bv, g, da is null ? Span<float>.Empty : gaSpan, db is null ? Span<float>.Empty : gbSpan);
                return;
            }
        }
        var walk = new StridedWalk(dy.Shape.Dims, strides, [0, 0, 0]);
        int len = walk.RowLength, sa = walk.InnerStride(0), sb = walk.InnerStride(1);
        for (long r = 0; r < walk.RowCount; r++)
        {
            if (r > 0) walk.Next();
            int oa = walk.Offsets[0], ob = walk.Offsets[1], oy = walk.Offsets[2];
            for (int i = 0; i < len; i++)
            {
                int ia = oa + i * sa, ib = ob + i * sb;
                var (ga, gb) = BinaryGradient(kind, av[ia], bv[ib], g[oy + i]);
                if (da is not null) gaSpan[ia] += ga;
                if (db is not null) gbSpan[ib] += gb;
            }
        }
    }

    /// <summary>The Mul gradient row by row (<see cref="MultiplyGradient"/>), rows in the walk's order as the generic loop visits them.</summary>
    private static unsafe void MultiplyRows(StridedWalk walk, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> dy, Span<float> da, Span<float> db)
    {
        int len = walk.RowLength, sa = walk.InnerStride(0), sb = walk.InnerStride(1);
        fixed (float* pa = a, pb = b, pg = dy, pda = da, pdb = db)
        {
            for (long r = 0; r < walk.RowCount; r++)
            {
                if (r > 0) walk.Next();
                int oa = walk.Offsets[0], ob = walk.Offsets[1], oy = walk.Offsets[2];
                MultiplyGradient.Row(pa + oa, sa, pb + ob, sb, pg + oy, da.IsEmpty ? null : pda + oa, db.IsEmpty ? null : pdb + ob, len);
            }
        }
    }

    private static (float Da, float Db) BinaryGradient(BinaryKind kind, float a, float b, float g)
    {
        switch (kind)
        {
            case BinaryKind.Add: return (g, g);
            case BinaryKind.Sub: return (g, -g);
            case BinaryKind.Mul: return (g * b, g * a);
            case BinaryKind.Div: return (g / b, -g * a / (b * b));
            case BinaryKind.Pow:
                // PyTorch's pow_backward: zero where the exponent is 0 (for a), or where a == 0 and b >= 0 (for b).
                float ga = b == 0 ? 0 : g * b * MathF.Pow(a, b - 1);
                float gb = a == 0 && b >= 0 ? 0 : g * MathF.Pow(a, b) * MathF.Log(a);
                return (ga, gb);
            case BinaryKind.Max:
                return a > b ? (g, 0) : a < b ? (0, g) : (g / 2, g / 2);
            case BinaryKind.Min:
                return a < b ? (g, 0) : a > b ? (0, g) : (g / 2, g / 2);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <inheritdoc/>
    public void BroadcastTo(Tensor source, Tensor destination)
    {
        if (source.Shape == destination.Shape)
        {
            Copy(source, destination);
            return;
        }
        var dims = destination.Shape.ToArray();
        StridedCopy(source, 0, Broadcasting.Strides(source.Shape, destination.Shape), destination, 0, destination.Shape.Strides(), dims, accumulate: false);
    }

    /// <inheritdoc/>
    public void SumToShape(Tensor source, Tensor destination)
    {
        if (source.Shape == destination.Shape)
        {
            Copy(source, destination);
            return;
        }
        if (MiddleAxisBroadcast(source.Shape, destination.Shape, out int outer, out int mid, out int inner))
        {
            // d[o, :] = sum over m ascending of s[o, m, :]: the walk's order, one vector add per row.
            KernelParallel.For(outer, (long)mid * inner, (first, end) =>
            {
                ReadOnlySpan<float> src = source.Span;
                var dst = destination.Span;
                for (int o = first; o < end; o++)
                {
                    var row = dst.Slice(o * inner, inner);
                    row.Clear();
                    for (int m = 0; m < mid; m++) TensorPrimitives.Add(row, src.Slice((o * mid + m) * inner, inner), row);
                }
            });
            return;
        }
        destination.Span.Clear();
        var dims = source.Shape.ToArray();
        StridedCopy(source, 0, source.Shape.Strides(), destination, 0, Broadcasting.Strides(destination.Shape, source.Shape), dims, accumulate: true);
    }

    /// <inheritdoc/>
    public void UnaryForward(UnaryKind kind, float alpha, float beta, Tensor x, Tensor y)
    {
        ReadOnlySpan<float> xs = x.Span;
        var ys = y.Span;
        switch (kind)
        {
            case UnaryKind.Identity: xs.CopyTo(ys); return;
            case UnaryKind.Relu:
                ElementChunks(x.Length, (start, length) => TensorPrimitives.Max(x.Span.Slice(start, length), 0f, y.Span.Slice(start, length)));
                return;
            case UnaryKind.Sigmoid: TensorPrimitives.Sigmoid(xs, ys); return;
            case UnaryKind.Tanh: TensorPrimitives.Tanh(xs, ys); return;
            case UnaryKind.Exp: TensorPrimitives.Exp(xs, ys); return;
            case UnaryKind.Log: TensorPrimitives.Log(xs, ys); return;
            case UnaryKind.Neg: TensorPrimitives.Negate(xs, ys); return;
            case UnaryKind.Sqrt: TensorPrimitives.Sqrt(xs, ys); return;
            case UnaryKind.Abs: TensorPrimitives.Abs(xs, ys); return;
            case UnaryKind.HardSwish:
                ElementChunks(x.Length, (start, length) => HardSwish.Forward(x.Span.Slice(start, length), y.Span.Slice(start, length)));
                return;
            case UnaryKind.HardSigmoid:
                ElementChunks(x.Length, (start, length) => HardSigmoid.Forward(alpha, beta, x.Span.Slice(start, length), y.Span.Slice(start, length)));
                return;
        }
        for (int i = 0; i < xs.Length; i++)
        {
            float v = xs[i];
            ys[i] = kind switch
            {
                UnaryKind.LeakyRelu => v > 0 ? v : alpha * v,
                UnaryKind.Elu => v > 0 ? v : alpha * (MathF.Exp(v) - 1f),
                // PyTorch's threshold: above 20 softplus(x) equals x in float.
                UnaryKind.Softplus => v > 20f ? v : (float)Math.Log(1.0 + Math.Exp(v)),
                UnaryKind.Gelu => (float)(0.5 * v * (1.0 + ErrorFunction.Erf(v / Math.Sqrt(2.0)))),
                UnaryKind.Erf => (float)ErrorFunction.Erf(v),
                UnaryKind.Reciprocal => 1f / v,
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
            };
        }
    }

    /// <inheritdoc/>
    public void UnaryBackward(UnaryKind kind, float alpha, float beta, Tensor x, Tensor y, Tensor dy, Tensor dx)
    {
        // Only what the derivative reads is touched: the executor may have released the other one.
        ReadOnlySpan<float> xs = Unary.DerivativeReadsInput(kind) ? x.Span : default;
        ReadOnlySpan<float> ys = Unary.DerivativeReadsOutput(kind) ? y.Span : default;
        ReadOnlySpan<float> g = dy.Span;
        var d = dx.Span;
        // The most common activations get a loop of their own; the rest share one switch per element.
        switch (kind)
        {
            case UnaryKind.Identity:
                g.CopyTo(d);
                return;
            case UnaryKind.Neg:
                TensorPrimitives.Negate(g, d);
                return;
            case UnaryKind.Relu:
                ElementChunks(x.Length, (start, length) => ReluBackward(x.Span.Slice(start, length), dy.Span.Slice(start, length), dx.Span.Slice(start, length)));
                return;
            case UnaryKind.Sigmoid:
                for (int i = 0; i < ys.Length; i++) d[i] = g[i] * ys[i] * (1f - ys[i]);
                return;
            case UnaryKind.HardSigmoid:
                HardSigmoid.Backward(alpha, beta, xs, g, d);
                return;
            case UnaryKind.Tanh:
                for (int i = 0; i < ys.Length; i++) d[i] = g[i] * (1f - ys[i] * ys[i]);
                return;
        }
        for (int i = 0; i < g.Length; i++)
        {
            float v = xs.IsEmpty ? 0f : xs[i], o = ys.IsEmpty ? 0f : ys[i], gi = g[i];
            d[i] = kind switch
            {
                UnaryKind.LeakyRelu => v > 0 ? gi : alpha * gi,
                // PyTorch's hardswish_backward: 0 below -3, x/3 + 1/2 on [-3, 3], 1 above.
                UnaryKind.HardSwish => v < -3f ? 0f : v <= 3f ? gi * (v / 3f + 0.5f) : gi,
                UnaryKind.Exp => gi * o,
                UnaryKind.Log => gi / v,
                UnaryKind.Sqrt => gi / (2f * o),
                UnaryKind.Abs => gi * MathF.Sign(v),
                UnaryKind.Elu => v > 0 ? gi : gi * (o + alpha),
                UnaryKind.Softplus => v > 20f ? gi : gi * (float)(1.0 / (1.0 + Math.Exp(-v))),
                UnaryKind.Gelu => gi * (float)(0.5 * (1.0 + ErrorFunction.Erf(v / Math.Sqrt(2.0))) + v * Math.Exp(-0.5 * v * v) / Math.Sqrt(2.0 * Math.PI)),
                UnaryKind.Erf => gi * (float)(2.0 / Math.Sqrt(Math.PI) * Math.Exp(-(double)v * v)),
                UnaryKind.Reciprocal => -gi * o * o,
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
            };
        }
    }

    /// <inheritdoc/>
    public void ClipForward(float min, float max, Tensor x, Tensor y)
    {
        ReadOnlySpan<float> xs = x.Span;
        var ys = y.Span;
        TensorPrimitives.Max(xs, min, ys);
        TensorPrimitives.Min(ys, max, ys);
    }

    /// <inheritdoc/>
    public void ClipBackward(float min, float max, Tensor x, Tensor dy, Tensor dx)
    {
        ReadOnlySpan<float> xs = x.Span, g = dy.Span;
        var d = dx.Span;
        for (int i = 0; i < xs.Length; i++) d[i] = xs[i] >= min && xs[i] <= max ? g[i] : 0f;
    }

    /// <summary>Runs an element-wise <paramref name="body"/>(start, length) over contiguous chunks, in parallel for large tensors.</summary>
    private static void ElementChunks(int count, Action<int, int> body)
        => KernelParallel.For(count, 1, (first, end) => body(first, end - first));

    /// <summary>d = g where x &gt; 0, else 0 (also 0 at x == 0, as PyTorch), vectorised.</summary>
    private static void ReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> d)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= x.Length; i += 16)
            {
                var mask = Vector512.GreaterThan(Vector512.Create(x.Slice(i, 16)), Vector512<float>.Zero);
                Vector512.BitwiseAnd(mask, Vector512.Create(g.Slice(i, 16))).CopyTo(d.Slice(i, 16));
            }
        }
        for (; i < x.Length; i++) d[i] = x[i] > 0 ? g[i] : 0f;
    }

    /// <summary>
    /// True when <paramref name="reduced"/> is <paramref name="full"/> with exactly one axis of extent &gt; 1
    /// set to 1 (same rank): full is then [outer, mid, inner] and reduced [outer, 1, inner].
    /// </summary>
    /// <summary>
    /// True when <paramref name="reduced"/> equals <paramref name="full"/> on its leading axes and is 1 on all the
    /// trailing ones (at least one): full is then [rows, length] against reduced [rows].
    /// </summary>
    private static bool TrailingBroadcast(TensorShape full, TensorShape reduced, out int rows, out int length)
    {
        rows = length = 1;
        if (full.Rank != reduced.Rank) return false;
        int split = full.Rank;
        while (split > 0 && reduced[split - 1] == 1) split--;
        for (int d = 0; d < split; d++)
            if (full[d] != reduced[d]) return false;
        for (int d = 0; d < split; d++) rows *= full[d];
        for (int d = split; d < full.Rank; d++) length *= full[d];
        return length > 1;
    }

    private static bool MiddleAxisBroadcast(TensorShape full, TensorShape reduced, out int outer, out int mid, out int inner)
    {
        outer = mid = inner = 0;
        if (full.Rank != reduced.Rank) return false;
        int axis = -1;
        for (int d = 0; d < full.Rank; d++)
        {
            if (full[d] == reduced[d]) continue;
            if (reduced[d] != 1 || axis >= 0) return false;
            axis = d;
        }
        if (axis < 0) return false;
        outer = 1;
        for (int d = 0; d < axis; d++) outer *= full[d];
        mid = full[axis];
        inner = 1;
        for (int d = axis + 1; d < full.Rank; d++) inner *= full[d];
        return true;
    }
}
