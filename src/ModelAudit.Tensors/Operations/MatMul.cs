using ModelAudit.Tensors.Kernels.Layout;

namespace ModelAudit.Tensors.Operations;

/// <summary>NumPy matmul: 1-D operands are promoted (and the added dimension dropped), batch dimensions broadcast.</summary>
public sealed class MatMul : Operation
{
    /// <inheritdoc/>
    public override string Kind => "MatMul";

    /// <summary>Sizes of one product and the broadcast batch layout.</summary>
    private sealed record Plan(int M, int K, int N, TensorShape Batch, int[] BatchStridesA, int[] BatchStridesB, TensorShape PromotedA, TensorShape PromotedB, TensorShape Output);

    private static Plan Prepare(TensorShape a, TensorShape b)
    {
        if (a.Rank == 0 || b.Rank == 0) throw new ShapeMismatchException($"MatMul needs operands of rank >= 1, got A {a} and B {b}.");
        var pa = a.Rank == 1 ? new TensorShape(1, a[0]) : a;
        var pb = b.Rank == 1 ? new TensorShape(b[0], 1) : b;
        int m = pa[-2], k = pa[-1], kb = pb[-2], n = pb[-1];
        if (k != kb) throw new ShapeMismatchException($"MatMul inner dimensions differ: A {a} and B {b}.");
        var batchA = new TensorShape(pa.Dims[..^2].ToArray());
        var batchB = new TensorShape(pb.Dims[..^2].ToArray());
        TensorShape batch;
        try
        {
            batch = Broadcasting.Shape(batchA, batchB);
        }
        catch (ShapeMismatchException)
        {
            throw new ShapeMismatchException($"MatMul batch dimensions of A {a} and B {b} cannot be broadcast.");
        }
        // Batch strides counted in whole matrices.
        var sa = Broadcasting.Strides(batchA, batch);
        var sb = Broadcasting.Strides(batchB, batch);
        for (int i = 0; i < sa.Length; i++)
        {
            sa[i] *= m * k;
            sb[i] *= k * n;
        }
        var dims = new List<int>(batch.ToArray());
        if (a.Rank > 1) dims.Add(m);
        if (b.Rank > 1) dims.Add(n);
        return new Plan(m, k, n, batch, sa, sb, pa, pb, new TensorShape([.. dims]));
    }

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 2, 2);
        return [Prepare(inputs[0], inputs[1]).Output];
    }

    /// <summary>Calls <paramref name="product"/> with the A, B element offsets and the batch index of every product.</summary>
    private static void ForEachProduct(Plan plan, Action<int, int, int> product)
    {
        int count = plan.Batch.ElementCount;
        var index = new int[plan.Batch.Rank];
        int oa = 0, ob = 0;
        for (int p = 0; p < count; p++)
        {
            product(oa, ob, p);
            for (int d = index.Length - 1; d >= 0; d--)
            {
                index[d]++;
                oa += plan.BatchStridesA[d];
                ob += plan.BatchStridesB[d];
                if (index[d] < plan.Batch[d]) break;
                oa -= plan.BatchStridesA[d] * plan.Batch[d];
                ob -= plan.BatchStridesB[d] * plan.Batch[d];
                index[d] = 0;
            }
        }
    }

    /// <summary>The A, B element offsets of every product, in batch order.</summary>
    private static (int[] A, int[] B) ProductOffsets(Plan plan)
    {
        int count = plan.Batch.ElementCount;
        var oa = new int[count];
        var ob = new int[count];
        ForEachProduct(plan, (a, b, p) =>
        {
            oa[p] = a;
            ob[p] = b;
        });
        return (oa, ob);
    }

    /// <summary>Offsets 0, size, 2 size, ... of <paramref name="count"/> contiguous blocks.</summary>
    private static int[] Contiguous(int count, int size)
    {
        var offsets = new int[count];
        for (int p = 0; p < count; p++) offsets[p] = p * size;
        return offsets;
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
    {
        var a = inputs[0];
        var b = inputs[1];
        var y = outputs[0];
        var plan = Prepare(a.Shape, b.Shape);
        int m = plan.M, n = plan.N, k = plan.K;
        var (oa, ob) = ProductOffsets(plan);
        a.Backend.GemmBatched(false, false, m, n, k, 1f, a, oa, k, b, ob, n, 0f, y, Contiguous(oa.Length, m * n), n);
    }

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var dy = outputGradients[0];
        if (dy is null) return [null, null];
        var a = inputs[0];
        var b = inputs[1];
        var backend = OperationChecks.Backend(inputs);
        var plan = Prepare(a.Shape, b.Shape);
        int m = plan.M, n = plan.N, k = plan.K;
        var batchDims = plan.Batch.ToArray();
        Tensor? da = null, db = null;
        var (oa, ob) = ProductOffsets(plan);
        var dyOffsets = Contiguous(oa.Length, m * n);
        if (needInputGradient[0])
        {
            // Per product dA = dY B^T over the full batch, then summed over broadcast batch dimensions
            // (written in place when A was not broadcast).
            da = backend.Allocate(a.Shape, clear: false);
            bool direct = a.Length == oa.Length * m * k;
            using var full = direct ? null : backend.Allocate(new TensorShape([.. batchDims, m, k]), clear: false);
            backend.GemmBatched(false, true, m, k, n, 1f, dy, dyOffsets, n, b, ob, n, 0f, full ?? da, Contiguous(oa.Length, m * k), k);
            if (full is not null) backend.SumToShape(full, new Tensor(plan.PromotedA, da.Storage));
        }
        if (needInputGradient[1])
        {
            db = backend.Allocate(b.Shape, clear: false);
            bool direct = b.Length == oa.Length * k * n;
            using var full = direct ? null : backend.Allocate(new TensorShape([.. batchDims, k, n]), clear: false);
            backend.GemmBatched(true, false, k, n, m, 1f, a, oa, k, dy, dyOffsets, n, 0f, full ?? db, Contiguous(oa.Length, k * n), n);
            if (full is not null) backend.SumToShape(full, new Tensor(plan.PromotedB, db.Storage));
        }
        return [da, db];
    }
}
