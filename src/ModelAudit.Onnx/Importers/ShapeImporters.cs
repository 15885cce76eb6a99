using ModelAudit.Onnx.Import;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Onnx.Importers;

/// <summary>
/// Layout operators. Shape-changing ones (Reshape, Flatten, Squeeze, Unsqueeze) become the engine's
/// Reshape with a concrete shape; on build-time constants every operator here is folded.
/// </summary>
internal static class ShapeImporters
{
    public static IEnumerable<IOnnxOperatorImporter> Create()
    {
        yield return new DelegateImporter("Reshape", ImportReshape, minOpset: 5);
        yield return new DelegateImporter("Flatten", ImportFlatten);
        yield return new DelegateImporter("Squeeze", ImportSqueeze);
        yield return new DelegateImporter("Unsqueeze", ImportUnsqueeze);
        yield return new DelegateImporter("Transpose", ImportTranspose);
        yield return new DelegateImporter("Concat", ImportConcat);
        yield return new DelegateImporter("Slice", ImportSlice);
        yield return new DelegateImporter("Split", ImportSplit);
        yield return new DelegateImporter("Gather", ImportGather);
        yield return new DelegateImporter("Expand", ImportExpand, minOpset: 8);
        yield return new DelegateImporter("Pad", ImportPad);
    }

    /// <summary>Binds output 0 to input 0 with new dimensions: folded for constants, a Reshape node otherwise.</summary>
    private static void SetReshaped(OnnxImportContext context, int[] dims)
    {
        if (context.IsConstant(0))
        {
            context.SetConstant(0, ConstantFolding.WithDims(context.GetConstant(0), dims));
            return;
        }
        context.AddNode(new Reshape(dims), [context.GetRuntimeInput(0)]);
    }

    private static void ImportReshape(OnnxImportContext context)
    {
        var input = context.GetShape(0).ToArray();
        var requested = context.GetConstantInts(1);
        if (requested.Length > ModelLimits.MaxRank) throw context.Error($"target shape has rank {requested.Length}; at most {ModelLimits.MaxRank} is supported");
        bool allowZero = context.Opset >= 14 && context.GetFlag("allowzero", false);
        var dims = new int[requested.Length];
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            long r = requested[i];
            if (r == -1)
            {
                if (inferred >= 0) throw context.Error("more than one -1 in the target shape");
                inferred = i;
                continue;
            }
            if (r == 0 && !allowZero)
            {
                if (i >= input.Length) throw context.Error($"target dimension {i} copies an input dimension the rank-{input.Length} input lacks");
                r = input[i];
            }
            if (r < 0 || r > int.MaxValue) throw context.Error($"invalid target dimension {r}");
            dims[i] = (int)r;
            // Saturating: the product only has to be compared with the input's element count (< 2^31).
            known = Math.Min(known * r, (long)int.MaxValue + 1);
        }
        long total = input.Aggregate(1L, (a, d) => a * d);
        if (inferred >= 0)
        {
            if (known == 0 || known > int.MaxValue || total % known != 0) throw context.Error($"cannot reshape [{string.Join(",", input)}] to [{string.Join(",", requested)}]");
            dims[inferred] = (int)(total / known);
        }
        else if (known != total)
        {
            throw context.Error($"cannot reshape [{string.Join(",", input)}] ({total} elements) to [{string.Join(",", dims)}]");
        }
        SetReshaped(context, dims);
    }

    private static void ImportFlatten(OnnxImportContext context)
    {
        var input = context.GetShape(0).ToArray();
        long given = context.GetInt("axis", 1);
        long resolved = given < 0 ? given + input.Length : given;
        if (resolved < 0 || resolved > input.Length) throw context.Error($"axis {given} is out of range for rank {input.Length}");
        int axis = (int)resolved;
        int outer = input[..axis].Aggregate(1, (a, d) => a * d);
        int inner = input[axis..].Aggregate(1, (a, d) => a * d);
        SetReshaped(context, [outer, inner]);
    }

    private static void ImportSqueeze(OnnxImportContext context)
    {
        var input = context.GetShape(0).ToArray();
        var axes = context.AxesAttributeOrInput(13, 1);
        var drop = new HashSet<int>();
        if (axes is null)
        {
            for (int i = 0; i < input.Length; i++)
                if (input[i] == 1) drop.Add(i);
        }
        else
        {
            foreach (var a in axes)
            {
                int axis = context.Axis(a, input.Length);
                if (input[axis] != 1) throw context.Error($"cannot squeeze axis {a} of size {input[axis]}");
                drop.Add(axis);
            }
        }
        SetReshaped(context, [.. input.Where((_, i) => !drop.Contains(i))]);
    }

    private static void ImportUnsqueeze(OnnxImportContext context)
    {
        var input = context.GetShape(0).ToArray();
        var axes = context.AxesAttributeOrInput(13, 1) ?? throw context.Error("axes are required");
        if (input.Length + axes.Length > ModelLimits.MaxRank) throw context.Error($"{axes.Length} axes would give rank {input.Length + axes.Length}; at most {ModelLimits.MaxRank} is supported");
        int rank = input.Length + axes.Length;
        var inserted = axes.Select(a => context.Axis(a, rank)).ToHashSet();
        if (inserted.Count != axes.Length) throw context.Error("repeated axes");
        var dims = new int[rank];
        int next = 0;
        for (int i = 0; i < rank; i++) dims[i] = inserted.Contains(i) ? 1 : input[next++];
        SetReshaped(context, dims);
    }

    private static void ImportTranspose(OnnxImportContext context)
    {
        int rank = context.GetRank(0);
        var perm = context.GetInts("perm", 0, rank - 1L) is { } p ? context.ToInts(p, "perm") : [.. Enumerable.Range(0, rank).Reverse()];
        if (perm.Length != rank || perm.Order().Where((v, i) => v != i).Any())
            throw context.Error($"perm [{string.Join(",", perm)}] is not a permutation of rank {rank}");
        if (context.IsConstant(0))
        {
            var data = context.GetConstant(0);
            var dims = perm.Select(a => data.Dims[a]).ToArray();
            var strides = new int[rank];
            int s = 1;
            for (int i = rank - 1; i >= 0; i--)
            {
                strides[i] = s;
                s *= data.Dims[i];
            }
            var source = new int[data.Length];
            var index = new int[rank];
            for (int flat = 0; flat < source.Length; flat++)
            {
                int src = 0;
                for (int i = 0; i < rank; i++) src += index[i] * strides[perm[i]];
                source[flat] = src;
                for (int i = rank - 1; i >= 0; i--)
                {
                    if (++index[i] < dims[i]) break;
                    index[i] = 0;
                }
            }
            context.SetConstant(0, ConstantFolding.Pick(data, source, dims));
            return;
        }
        context.AddNode(new Transpose(perm), [context.GetRuntimeInput(0)]);
    }

    private static void ImportConcat(OnnxImportContext context)
    {
        var present = Enumerable.Range(0, context.InputCount).Where(context.HasInput).ToArray();
        if (present.Length == 0) throw context.Error("no inputs");
        int rank = context.GetRank(present[0]);
        int axis = context.Axis(context.GetInt("axis", 0), rank);
        var first = context.GetShape(present[0]).ToArray();
        long total = 0;
        foreach (var k in present)
        {
            var dims = context.GetShape(k).ToArray();
            if (dims.Length != rank || dims.Where((d, i) => i != axis && d != first[i]).Any())
                throw context.Error($"cannot concatenate [{string.Join(",", first)}] and [{string.Join(",", dims)}] on axis {axis}");
            total += dims[axis];
        }
        if (total > int.MaxValue) throw context.Error($"the concatenated axis {axis} would have {total} elements");
        if (present.All(context.IsConstant))
        {
            var parts = present.Select(context.GetConstant).ToArray();
            var outDims = (int[])first.Clone();
            outDims[axis] = (int)total;
            context.CheckedCount(outDims, ModelLimits.MaxFoldedElements, "the folded result");
            context.SetConstant(0, ConstantFolding.Concat(parts, axis));
            return;
        }
        context.AddNode(new Concat(axis), [.. present.Select(context.GetRuntimeInput)]);
    }

    private static void ImportSlice(OnnxImportContext context)
    {
        int rank = context.GetRank(0);
        long[] starts, ends;
        long[]? axes, steps = null;
        if (context.Opset < 10)
        {
            starts = context.GetInts("starts") ?? throw context.Error("starts is required");
            ends = context.GetInts("ends") ?? throw context.Error("ends is required");
            axes = context.GetInts("axes", int.MinValue, int.MaxValue);
        }
        else
        {
            starts = context.GetConstantInts(1);
            ends = context.GetConstantInts(2);
            axes = context.HasInput(3) ? context.GetConstantInts(3) : null;
            steps = context.HasInput(4) ? context.GetConstantInts(4) : null;
        }
        axes ??= [.. Enumerable.Range(0, starts.Length).Select(i => (long)i)];
        steps ??= [.. Enumerable.Repeat(1L, starts.Length)];
        if (ends.Length != starts.Length || axes.Length != starts.Length || steps.Length != starts.Length)
            throw context.Error("starts, ends, axes and steps differ in length");
        if (steps.Contains(0)) throw context.Error("a step is 0");
        // A step longer than any dimension takes one element; clamping keeps the count arithmetic in range.
        steps = [.. steps.Select(st => Math.Clamp(st, -(1L << 32), 1L << 32))];
        var resolvedAxes = axes.Select(a => context.Axis(a, rank)).ToArray();
        if (resolvedAxes.Distinct().Count() != resolvedAxes.Length) throw context.Error("an axis is sliced twice");
        if (context.IsConstant(0))
        {
            context.SetConstant(0, ConstantFolding.Slice(context.GetConstant(0), starts, ends, resolvedAxes, steps));
            return;
        }
        context.AddNode(new Slice(starts, ends, resolvedAxes, steps), [context.GetRuntimeInput(0)]);
    }

    private static void ImportSplit(OnnxImportContext context)
    {
        var input = context.GetShape(0).ToArray();
        int axis = context.Axis(context.GetInt("axis", 0), input.Length);
        long[]? split = context.Opset >= 13
            ? context.HasInput(1) ? context.GetConstantInts(1) : null
            : context.GetInts("split", 0, int.MaxValue);
        int parts = context.OutputCount;
        if (parts == 0) throw context.Error("no outputs");
        int[] sizes;
        if (split is not null)
        {
            if (split.Length != parts) throw context.Error($"split has {split.Length} sizes for {parts} outputs");
            if (split.Any(v => v < 0)) throw context.Error($"split sizes [{string.Join(",", split)}] must not be negative");
            sizes = context.ToInts(split, "split");
        }
        else if (context.Opset >= 18 && context.HasAttribute("num_outputs"))
        {
            // Opset 18: num_outputs parts of ceil(size / num_outputs), the last one smaller when uneven.
            long count = context.GetInt("num_outputs", parts, 1, int.MaxValue);
            if (count != parts) throw context.Error($"num_outputs {count} differs from the {parts} outputs");
            int chunk = (int)((input[axis] + count - 1) / count);
            sizes = [.. Enumerable.Range(0, parts).Select(i => Math.Clamp(input[axis] - i * chunk, 0, chunk))];
        }
        else
        {
            if (input[axis] % parts != 0) throw context.Error($"axis {axis} of size {input[axis]} does not split into {parts} equal parts");
            sizes = [.. Enumerable.Repeat(input[axis] / parts, parts)];
        }
        if (sizes.Sum(v => (long)v) != input[axis]) throw context.Error($"split sizes [{string.Join(",", sizes)}] do not add up to {input[axis]}");
        if (context.IsConstant(0))
        {
            var data = context.GetConstant(0);
            int start = 0;
            for (int i = 0; i < sizes.Length; i++)
            {
                context.SetConstant(i, ConstantFolding.Slice(data, [start], [start + sizes[i]], [axis], [1]));
                start += sizes[i];
            }
            return;
        }
        context.AddNode(new Split(axis, sizes), [context.GetRuntimeInput(0)]);
    }

    private static void ImportGather(OnnxImportContext context)
    {
        int rank = context.GetRank(0);
        int axis = context.Axis(context.GetInt("axis", 0), rank);
        if (context.IsRuntimeIndices(1))
        {
            // An embedding lookup of token ids that arrive with the data.
            context.AddNode(new GatherIndexed(axis), [context.GetRuntimeInput(0), context.GetRuntimeIndices(1)]);
            return;
        }
        if (!context.IsConstant(1)) throw context.Error($"indices '{context.InputName(1)}' would need a runtime integer tensor; only indices known when the graph is built, or integer model inputs (token ids), are supported");
        var indicesTensor = context.GetConstant(1);
        var indices = indicesTensor.ToLongs();
        int axisDim = context.GetShape(0)[axis];
        foreach (var i in indices)
            if (i < -axisDim || i >= axisDim) throw context.Error($"index {i} is out of range for axis {axis} of size {axisDim}");
        if (context.IsConstant(0))
        {
            var shape = context.GetShape(0).ToArray();
            int[] outDims = [.. shape[..axis], .. indicesTensor.Dims, .. shape[(axis + 1)..]];
            context.CheckedCount(outDims, ModelLimits.MaxFoldedElements, "the folded result");
            context.SetConstant(0, ConstantFolding.Gather(context.GetConstant(0), indices, indicesTensor.Dims, axis, context));
            return;
        }
        context.AddNode(new Gather(axis, indices, indicesTensor.Dims), [context.GetRuntimeInput(0)]);
    }

    private static void ImportExpand(OnnxImportContext context)
    {
        var input = context.GetShape(0).ToArray();
        var shapeValues = context.GetConstantInts(1);
        if (shapeValues.Any(v => v < 0)) throw context.Error($"shape [{string.Join(",", shapeValues)}] has a negative dimension");
        if (shapeValues.Length > ModelLimits.MaxRank) throw context.Error($"shape has rank {shapeValues.Length}; at most {ModelLimits.MaxRank} is supported");
        var requested = context.ToInts(shapeValues, "shape");
        var dims = ConstantFolding.BroadcastShape(input, requested)
            ?? throw context.Error($"cannot expand [{string.Join(",", input)}] to [{string.Join(",", requested)}]");
        context.CheckedCount(dims, ModelLimits.MaxTensorElements, "the expanded result");
        if (context.IsConstant(0))
        {
            context.CheckedCount(dims, ModelLimits.MaxFoldedElements, "the folded result");
            var data = context.GetConstant(0);
            context.SetConstant(0, ConstantFolding.Pick(data, ConstantFolding.BroadcastIndex(dims, data.Dims), dims));
            return;
        }
        context.AddNode(new Expand(dims), [context.GetRuntimeInput(0)]);
    }

    private static void ImportPad(OnnxImportContext context)
    {
        int rank = context.GetRank(0);
        long[] pads;
        float value;
        if (context.Opset < 11)
        {
            pads = context.GetInts("pads", int.MinValue, int.MaxValue) ?? throw context.Error("pads is required");
            value = context.GetFloat("value", 0f);
        }
        else
        {
            pads = context.GetConstantInts(1);
            value = context.HasInput(2) ? context.GetConstantScalar(2) : 0f;
            if (context.HasInput(3)) throw context.Error("the axes input (opset 18) is not supported");
        }
        if (pads.Length != 2 * rank) throw context.Error($"pads has {pads.Length} values; {2 * rank} expected for rank {rank}");
        var padded = context.GetShape(0).ToArray();
        for (int d = 0; d < rank; d++)
        {
            long size = padded[d] + pads[d] + pads[d + rank];
            if (pads[d] < int.MinValue || pads[d] > int.MaxValue || pads[d + rank] < int.MinValue || pads[d + rank] > int.MaxValue || size < 0 || size > int.MaxValue)
                throw context.Error($"pads [{string.Join(",", pads)}] give dimension {d} of input [{string.Join(",", padded)}] an invalid size");
            padded[d] = (int)size;
        }
        context.CheckedCount(padded, ModelLimits.MaxTensorElements, "the padded result");
        var mode = context.GetString("mode", "constant") switch
        {
            "constant" => PadMode.Constant,
            "reflect" => PadMode.Reflect,
            "edge" => PadMode.Edge,
            var other => throw context.Error($"pad mode '{other}' is not supported"),
        };
        context.AddNode(new Pad(pads, mode, value), [context.GetRuntimeInput(0)]);
    }
}
