using ModelAudit.Onnx.Import;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Onnx.Importers;

/// <summary>ReduceMean, ReduceSum, ReduceMax, ReduceMin.</summary>
internal static class ReduceImporters
{
    public static IEnumerable<IOnnxOperatorImporter> Create()
    {
        // ReduceSum takes axes as an input from opset 13, the others from opset 18.
        yield return new DelegateImporter("ReduceMean", c => Import(c, ReduceKind.Mean, 18));
        yield return new DelegateImporter("ReduceSum", c => Import(c, ReduceKind.Sum, 13));
        yield return new DelegateImporter("ReduceMax", c => Import(c, ReduceKind.Max, 18));
        yield return new DelegateImporter("ReduceMin", c => Import(c, ReduceKind.Min, 18));
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
}
