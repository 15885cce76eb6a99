using ModelAudit.Onnx.Import;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Onnx.Importers;

/// <summary>Conv and the pooling operators (2-D only; 1-D and 3-D are reported as errors).</summary>
internal static class ConvolutionImporters
{
    public static IEnumerable<IOnnxOperatorImporter> Create()
    {
        yield return new DelegateImporter("Conv", ImportConv);
        yield return new DelegateImporter("MaxPool", ImportMaxPool);
        yield return new DelegateImporter("AveragePool", ImportAveragePool);
        yield return new DelegateImporter("GlobalAveragePool", c => c.AddNode(new GlobalAveragePool(), [Spatial2d(c)]));
        yield return new DelegateImporter("GlobalMaxPool", c => c.AddNode(new Reduce(ReduceKind.Max, [2, 3], keepDims: true), [Spatial2d(c)]));
    }

    // The runtime input, checked to be NCHW.
    private static int Spatial2d(OnnxImportContext context)
    {
        int rank = context.GetRank(0);
        if (rank != 4) throw context.Error($"only 2-D (NCHW) inputs are supported, got rank {rank} {context.GetShape(0)}");
        return context.GetRuntimeInput(0);
    }

    private static void ImportConv(OnnxImportContext context)
    {
        var x = Spatial2d(context);
        var w = context.GetShape(1);
        if (w.Rank != 4) throw context.Error($"only 2-D convolution is supported (weight shape {w})");
        var strides = context.Pair("strides");
        var dilations = context.Pair("dilations");
        var kernel = context.GetInts("kernel_shape") is { } k ? context.ToInts(k, "kernel_shape") : [w[2], w[3]];
        var input = context.GetShape(0);
        var pads = context.Pads2d([input[2], input[3]], kernel, strides, dilations);
        int groups = (int)context.GetInt("group", 1);
        var inputs = new List<int> { x, context.GetRuntimeInput(1) };
        if (context.HasInput(2)) inputs.Add(context.GetRuntimeInput(2));
        context.AddNode(new Conv2d(strides, pads, dilations, groups), inputs);
    }

    private static (int X, int[] Kernel, int[] Strides, int[] Pads, bool CeilMode) PoolGeometry(OnnxImportContext context, int[] dilations)
    {
        var x = Spatial2d(context);
        var kernelAttr = context.GetInts("kernel_shape") ?? throw context.Error("kernel_shape is required");
        if (kernelAttr.Length != 2) throw context.Error($"only 2-D pooling is supported (kernel_shape has {kernelAttr.Length} values)");
        var kernel = context.ToInts(kernelAttr, "kernel_shape");
        var strides = context.Pair("strides");
        var input = context.GetShape(0);
        var pads = context.Pads2d([input[2], input[3]], kernel, strides, dilations);
        // ceil_mode exists from opset 10; earlier models always floor.
        bool ceil = context.Opset >= 10 && context.GetInt("ceil_mode", 0) != 0;
        return (x, kernel, strides, pads, ceil);
    }

    private static void ImportMaxPool(OnnxImportContext context)
    {
        if (context.HasOutput(1)) throw context.Error($"the Indices output '{context.OutputName(1)}' is not supported");
        if (context.GetInt("storage_order", 0) != 0) throw context.Error("storage_order=1 is not supported");
        var dilations = context.Opset >= 10 ? context.Pair("dilations") : [1, 1];
        var (x, kernel, strides, pads, ceil) = PoolGeometry(context, dilations);
        context.AddNode(new MaxPool2d(kernel, strides, pads, dilations, ceil), [x]);
    }

    private static void ImportAveragePool(OnnxImportContext context)
    {
        var (x, kernel, strides, pads, ceil) = PoolGeometry(context, [1, 1]);
        bool countIncludePad = context.GetInt("count_include_pad", 0) != 0;
        context.AddNode(new AveragePool2d(kernel, strides, pads, ceil, countIncludePad), [x]);
    }
}
