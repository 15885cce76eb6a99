using ModelAudit.Onnx.Import;

namespace ModelAudit.Onnx.Importers;

/// <summary>
/// Operators evaluated when the model is loaded, on constant inputs only: Mod and ScatterND. Exporters emit them for
/// shape arithmetic and masks built from shapes (Swin's padding and shifted-window attention mask), never on the
/// data path of the models we audit, so a runtime input is refused with the node's name.
/// </summary>
internal static class FoldedImporters
{
    public static IEnumerable<IOnnxOperatorImporter> Create()
    {
        yield return new DelegateImporter("Mod", ImportMod, minOpset: 10);
        yield return new DelegateImporter("ScatterND", ImportScatterNd, minOpset: 11);
    }

    private static void ImportMod(OnnxImportContext context)
    {
        var a = context.GetConstant(0);
        var b = context.GetConstant(1);
        bool fmod = context.GetFlag("fmod", false);
        if (!fmod && (a.IsFloat || b.IsFloat)) throw context.Error("fmod must be 1 for floating-point inputs");
        context.SetConstant(0, ConstantFolding.Elementwise([a, b],
            v => v[1] == 0 ? throw context.Error("integer division by zero")
                : fmod ? v[0] % v[1] : FloorMod(v[0], v[1]),
            v => v[0] % v[1],
            context));
    }

    /// <summary>The remainder with the divisor's sign (Python's %), ONNX's Mod with fmod = 0.</summary>
    private static long FloorMod(long a, long b)
    {
        long r = a % b;
        return r != 0 && (r < 0) != (b < 0) ? r + b : r;
    }

    private static void ImportScatterNd(OnnxImportContext context)
    {
        var data = context.GetConstant(0);
        var indices = context.GetConstant(1);
        var updates = context.GetConstant(2);
        var reduction = context.GetString("reduction", "none");
        if (reduction is not ("none" or "add" or "mul" or "max" or "min")) throw context.Error($"reduction '{reduction}' is not one of none, add, mul, max, min");
        if (indices.IsFloat) throw context.Error("indices must be an integer tensor");
        int r = data.Rank, q = indices.Rank;
        if (q < 1) throw context.Error("indices must have rank at least 1");
        int k = indices.Dims[^1];
        if (k < 1 || k > r) throw context.Error($"the last dimension of indices is {k}; it must be between 1 and the data's rank {r}");
        // updates.shape = indices.shape[:-1] + data.shape[k:]
        int[] expected = [.. indices.Dims[..^1], .. data.Dims[k..]];
        if (!updates.Dims.SequenceEqual(expected))
            throw context.Error($"updates have shape [{string.Join(",", updates.Dims)}]; indices [{string.Join(",", indices.Dims)}] and data [{string.Join(",", data.Dims)}] need [{string.Join(",", expected)}]");
        if (updates.IsFloat != data.IsFloat) throw context.Error("data and updates must have the same element type");

        int slice = 1;
        for (int d = k; d < r; d++) slice *= data.Dims[d];
        var strides = new long[k];
        long stride = slice;
        for (int d = k - 1; d >= 0; d--) { strides[d] = stride; stride *= data.Dims[d]; }
        int tuples = indices.Length / k;
        var floats = data.Floats?.ToArray();
        var longs = data.Longs?.ToArray();
        var idx = indices.Longs!;
        for (int t = 0; t < tuples; t++)
        {
            long offset = 0;
            for (int d = 0; d < k; d++)
            {
                long i = idx[t * k + d];
                long size = data.Dims[d];
                if (i < -size || i >= size) throw context.Error($"index {i} at indices[{t}][{d}] is out of range for dimension {d} of size {size}");
                offset += (i < 0 ? i + size : i) * strides[d];
            }
            for (int e = 0; e < slice; e++)
            {
                int to = (int)offset + e, from = t * slice + e;
                if (floats is not null) floats[to] = Combine(reduction, floats[to], updates.Floats![from]);
                else longs![to] = Combine(reduction, longs[to], updates.Longs![from]);
            }
        }
        context.SetConstant(0, floats is not null ? OnnxTensor.FromFloats(floats, data.Dims) : OnnxTensor.FromLongs(longs!, data.Dims, data.DataType));
    }

    private static float Combine(string reduction, float old, float update) => reduction switch
    {
        "add" => old + update,
        "mul" => old * update,
        "max" => Math.Max(old, update),
        "min" => Math.Min(old, update),
        _ => update,
    };

    private static long Combine(string reduction, long old, long update) => reduction switch
    {
        "add" => old + update,
        "mul" => old * update,
        "max" => Math.Max(old, update),
        "min" => Math.Min(old, update),
        _ => update,
    };
}
