using ModelAudit.Onnx.Import;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Onnx.Importers;

/// <summary>
/// ReduceMean, ReduceSum, ReduceMax, ReduceMin (with gradients), and the selections TopK (values
/// differentiable, indices not) and ArgMax/ArgMin (TopK with k = 1; indices as float32 whole numbers).
/// </summary>
internal static class ReduceImporters
{
    public static IEnumerable<IOnnxOperatorImporter> Create()
    {
        // ReduceSum takes axes as an input from opset 13, the others from opset 18.
        yield return new DelegateImporter("ReduceMean", c => Import(c, ReduceKind.Mean, 18));
        yield return new DelegateImporter("ReduceSum", c => Import(c, ReduceKind.Sum, 13));
        yield return new DelegateImporter("ReduceMax", c => Import(c, ReduceKind.Max, 18));
        yield return new DelegateImporter("ReduceMin", c => Import(c, ReduceKind.Min, 18));
        yield return new DelegateImporter("TopK", ImportTopK);
        yield return new DelegateImporter("ArgMax", c => ImportArg(c, largest: true));
        yield return new DelegateImporter("ArgMin", c => ImportArg(c, largest: false));
    }

    private static void Import(OnnxImportContext context, ReduceKind kind, int axesInputFromOpset)
    {
        int rank = context.GetRank(0);
        var axes = context.AxesAttributeOrInput(axesInputFromOpset, 1);
        bool keepDims = context.GetFlag("keepdims", true);
        if (axes is null || axes.Length == 0)
        {
            if (context.GetFlag("noop_with_empty_axes", false))
            {
                context.ForwardInput(0, 0);
                return;
            }
            axes = [.. Enumerable.Range(0, rank).Select(i => (long)i)];
        }
        var resolved = axes.Select(a => context.Axis(a, rank)).Distinct().Order().ToArray();
        context.AddNode(new Reduce(kind, resolved, keepDims), [context.GetRuntimeInput(0)]);
    }

    private static void ImportTopK(OnnxImportContext context)
    {
        var x = context.GetShape(0);
        int axis = context.Axis(context.GetInt("axis", -1), x.Rank);
        long k = context.Opset >= 10 ? context.GetConstantInts(1) is [var only] ? only : throw context.Error("K must hold one value") : context.GetInt("k", 0);
        if (k < 1 || k > x[axis]) throw context.Error($"K {k} must lie in [1, {x[axis]}] (axis {axis} of {x})");
        // sorted=0 allows any order; the sorted one is among them.
        bool largest = context.Opset < 11 || context.GetFlag("largest", true);
        context.AddNode(new TopK(axis, (int)k, largest), [context.GetRuntimeInput(0)]);
    }

    private static void ImportArg(OnnxImportContext context, bool largest)
    {
        var x = context.GetShape(0);
        int axis = context.Axis(context.GetInt("axis", 0), x.Rank);
        if (context.Opset >= 12 && context.GetFlag("select_last_index", false)) throw context.Error("select_last_index=1 is not supported");
        bool keepDims = context.GetFlag("keepdims", true);
        string output = context.OutputName(0);
        int[] ids;
        try
        {
            ids = context.Graph.AddNode(context.NodeName, new TopK(axis, 1, largest), [context.GetRuntimeInput(0)], [$"{output}::value", $"{output}::index"]);
        }
        catch (ShapeMismatchException e)
        {
            throw context.Error(e.Message);
        }
        if (keepDims)
        {
            context.SetAlias(0, ids[1]);
            return;
        }
        context.AddNode(new Reshape([.. x.ToArray().Where((_, d) => d != axis)]), [ids[1]]);
    }
}
