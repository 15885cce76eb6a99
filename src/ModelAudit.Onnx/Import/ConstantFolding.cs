using ModelAudit.Onnx.Protobuf;

namespace ModelAudit.Onnx.Import;

/// <summary>
/// Build-time evaluation of the small tensors exporters compute shapes with (NumPy broadcasting,
/// int64 arithmetic exact, float arithmetic in float32).
/// </summary>
internal static class ConstantFolding
{
    /// <summary>The broadcast shape of several shapes; null when they do not broadcast.</summary>
    public static int[]? BroadcastShape(params int[][] shapes)
    {
        int rank = shapes.Max(s => s.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int d = 1;
            foreach (var s in shapes)
            {
                int k = i - (rank - s.Length);
                if (k < 0) continue;
                int sd = s[k];
                if (sd == d || sd == 1) continue;
                if (d != 1) return null;
                d = sd;
            }
            result[i] = d;
        }
        return result;
    }

    /// <summary>For each element of <paramref name="outDims"/>, the flat index of the element of a <paramref name="inDims"/> tensor broadcast to it.</summary>
    public static int[] BroadcastIndex(int[] outDims, int[] inDims)
    {
        int count = 1;
        foreach (var d in outDims) count *= d;
        var map = new int[count];
        int rank = outDims.Length;
        var inStrides = new int[rank];
        int stride = 1;
        for (int i = rank - 1; i >= 0; i--)
        {
            int k = i - (rank - inDims.Length);
            int d = k >= 0 ? inDims[k] : 1;
            inStrides[i] = d == 1 ? 0 : stride;
            stride *= d;
        }
        var index = new int[rank];
        for (int flat = 0; flat < count; flat++)
        {
            int src = 0;
            for (int i = 0; i < rank; i++) src += index[i] * inStrides[i];
            map[flat] = src;
            for (int i = rank - 1; i >= 0; i--)
            {
                if (++index[i] < outDims[i]) break;
                index[i] = 0;
            }
        }
        return map;
    }

    /// <summary>An elementwise operation on broadcast inputs; integer when every input is an integer type.</summary>
    public static OnnxTensor Elementwise(OnnxTensor[] inputs, Func<long[], long>? integer, Func<double[], double>? floating, OnnxImportContext context, OnnxDataType? resultType = null)
    {
        var dims = BroadcastShape([.. inputs.Select(t => t.Dims)])
            ?? throw context.Error($"inputs of shapes {string.Join(" and ", inputs.Select(t => "[" + string.Join(",", t.Dims) + "]"))} do not broadcast");
        context.CheckedCount(dims, ModelLimits.MaxFoldedElements, "the folded result");
        var maps = inputs.Select(t => BroadcastIndex(dims, t.Dims)).ToArray();
        int count = maps.Length > 0 ? maps[0].Length : 0;
        bool allInteger = inputs.All(t => !t.IsFloat);
        if (allInteger && integer is not null)
        {
            var result = new long[count];
            var args = new long[inputs.Length];
            for (int e = 0; e < count; e++)
            {
                for (int k = 0; k < inputs.Length; k++) args[k] = inputs[k].Longs![maps[k][e]];
                result[e] = integer(args);
            }
            return OnnxTensor.FromLongs(result, dims, resultType ?? inputs[0].DataType);
        }
        if (floating is null) throw context.Error("float inputs are only supported at run time here");
        var values = new double[inputs.Length];
        if (resultType is { } t && !OnnxTensor.IsFloatType(t))
        {
            var longs = new long[count];
            for (int e = 0; e < count; e++)
            {
                for (int k = 0; k < inputs.Length; k++) values[k] = inputs[k].GetDouble(maps[k][e]);
                longs[e] = (long)floating(values);
            }
            return OnnxTensor.FromLongs(longs, dims, t);
        }
        var floats = new float[count];
        for (int e = 0; e < count; e++)
        {
            for (int k = 0; k < inputs.Length; k++) values[k] = inputs[k].GetDouble(maps[k][e]);
            floats[e] = (float)floating(values);
        }
        return OnnxTensor.FromFloats(floats, dims);
    }

    /// <summary>The same elements with new dimensions.</summary>
    public static OnnxTensor WithDims(OnnxTensor t, int[] dims)
        => t.IsFloat ? OnnxTensor.FromFloats(t.Floats!, dims) : OnnxTensor.FromLongs(t.Longs!, dims, t.DataType);

    /// <summary>Elements picked by flat source index (used by gather, slice, concat, expand).</summary>
    public static OnnxTensor Pick(OnnxTensor t, int[] sourceIndex, int[] dims)
        => t.IsFloat
            ? OnnxTensor.FromFloats(Array.ConvertAll(sourceIndex, i => t.Floats![i]), dims)
            : OnnxTensor.FromLongs(Array.ConvertAll(sourceIndex, i => t.Longs![i]), dims, t.DataType);

    /// <summary>Converts to an ONNX element type (floats to integers truncate toward zero, as a C cast).</summary>
    public static OnnxTensor Cast(OnnxTensor t, OnnxDataType to)
    {
        if (OnnxTensor.IsFloatType(to)) return OnnxTensor.FromFloats(t.ToFloats(), t.Dims);
        var longs = t.ToLongs();
        if (to == OnnxDataType.Bool) longs = Array.ConvertAll(longs, v => v != 0 ? 1L : 0L);
        return OnnxTensor.FromLongs(longs, t.Dims, to);
    }

    /// <summary>Concatenation along <paramref name="axis"/> (non-negative).</summary>
    public static OnnxTensor Concat(OnnxTensor[] inputs, int axis)
    {
        var dims = (int[])inputs[0].Dims.Clone();
        dims[axis] = inputs.Sum(t => t.Dims[axis]);
        int outer = 1;
        for (int i = 0; i < axis; i++) outer *= dims[i];
        bool isFloat = inputs.Any(t => t.IsFloat);
        var floats = new List<float>();
        var longs = new List<long>();
        for (int o = 0; o < outer; o++)
        {
            foreach (var t in inputs)
            {
                int block = t.Length / Math.Max(outer, 1);
                for (int j = 0; j < block; j++)
                {
                    int src = o * block + j;
                    if (isFloat) floats.Add((float)t.GetDouble(src));
                    else longs.Add(t.Longs![src]);
                }
            }
        }
        return isFloat ? OnnxTensor.FromFloats([.. floats], dims) : OnnxTensor.FromLongs([.. longs], dims, inputs[0].DataType);
    }

    /// <summary>ONNX Gather along <paramref name="axis"/> (non-negative) with possibly negative indices.</summary>
    public static OnnxTensor Gather(OnnxTensor data, long[] indices, int[] indicesDims, int axis, OnnxImportContext context)
    {
        int axisDim = data.Dims[axis];
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= data.Dims[i];
        for (int i = axis + 1; i < data.Rank; i++) inner *= data.Dims[i];
        var dims = data.Dims[..axis].Concat(indicesDims).Concat(data.Dims[(axis + 1)..]).ToArray();
        var source = new int[outer * indices.Length * inner];
        int e = 0;
        for (int o = 0; o < outer; o++)
            foreach (var raw in indices)
            {
                long idx = raw < 0 ? raw + axisDim : raw;
                if (idx < 0 || idx >= axisDim) throw context.Error($"index {raw} is out of range for axis {axis} of size {axisDim}");
                for (int j = 0; j < inner; j++) source[e++] = (int)((o * axisDim + idx) * inner + j);
            }
        return Pick(data, source, dims);
    }

    /// <summary>Resolves ONNX Slice parameters for one axis to a start, a step and an element count.</summary>
    public static (long Start, long Step, int Count) ResolveSlice(long start, long end, long step, int dim)
    {
        // Callers refuse step 0 and clamp |step| to 2^32, so the counts below cannot overflow.
        if (step == 0) throw new ArgumentException("Slice step must not be 0.");
        if (start < 0) start += dim;
        if (end < 0) end += dim;
        if (step > 0)
        {
            start = Math.Clamp(start, 0, dim);
            end = Math.Clamp(end, 0, dim);
            long count = end > start ? (end - start - 1) / step + 1 : 0;
            return (start, step, (int)count);
        }
        start = Math.Clamp(start, 0, dim - 1);
        end = Math.Clamp(end, -1, dim - 1);
        long n = start > end ? (start - end - 1) / -step + 1 : 0;
        return (start, step, (int)n);
    }

    /// <summary>ONNX Slice on a constant; axes non-negative.</summary>
    public static OnnxTensor Slice(OnnxTensor data, long[] starts, long[] ends, int[] axes, long[] steps)
    {
        int rank = data.Rank;
        var first = new long[rank];
        var step = Enumerable.Repeat(1L, rank).ToArray();
        var dims = (int[])data.Dims.Clone();
        for (int k = 0; k < axes.Length; k++)
        {
            var (s, st, count) = ResolveSlice(starts[k], ends[k], steps[k], data.Dims[axes[k]]);
            first[axes[k]] = s;
            step[axes[k]] = st;
            dims[axes[k]] = count;
        }
        int total = 1;
        foreach (var d in dims) total *= d;
        var strides = new int[rank];
        int stride = 1;
        for (int i = rank - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= data.Dims[i];
        }
        var source = new int[total];
        var index = new int[rank];
        for (int flat = 0; flat < total; flat++)
        {
            long src = 0;
            for (int i = 0; i < rank; i++) src += (first[i] + index[i] * step[i]) * strides[i];
            source[flat] = (int)src;
            for (int i = rank - 1; i >= 0; i--)
            {
                if (++index[i] < dims[i]) break;
                index[i] = 0;
            }
        }
        return Pick(data, source, dims);
    }
}
