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
        int[] kernel = [w[2], w[3]];
        if (context.HasAttribute("kernel_shape"))
        {
            var given = context.Pair("kernel_shape");
            // kernel_shape is redundant with the weights; a disagreement means a corrupt model.
            if (given[0] != kernel[0] || given[1] != kernel[1])
                throw context.Error($"kernel_shape [{given[0]},{given[1]}] does not match the weight shape {w}");
        }
        var input = context.GetShape(0);
        int groups = (int)context.GetInt("group", 1, 1, int.MaxValue);
        if (input[1] % groups != 0 || w[0] % groups != 0 || (long)w[1] * groups != input[1])
            throw context.Error($"group {groups} does not fit input {input} and weights {w}");
        var pads = context.Pads2d([input[2], input[3]], kernel, strides, dilations);
        context.CheckWindow([input[2], input[3]], kernel, dilations, pads);
        var inputs = new List<int> { x, context.GetRuntimeInput(1) };
        if (context.HasInput(2)) inputs.Add(context.GetRuntimeInput(2));
        context.AddNode(new Conv2d(strides, pads, dilations, groups), inputs);
    }

    private static (int X, int[] Kernel, int[] Strides, int[] Pads, bool CeilMode) PoolGeometry(OnnxImportContext context, int[] dilations)
    {
        var x = Spatial2d(context);
        if (!context.HasAttribute("kernel_shape")) throw context.Error("kernel_shape is required");
        var kernel = context.Pair("kernel_shape");
        var strides = context.Pair("strides");
        var input = context.GetShape(0);
        var pads = context.Pads2d([input[2], input[3]], kernel, strides, dilations);
        // ONNX requires pads smaller than the kernel: a window wholly in the padding has no input element.
        for (int i = 0; i < 4; i++)
            if (pads[i] >= kernel[i % 2]) throw context.Error($"pad {pads[i]} is not smaller than kernel size {kernel[i % 2]}");
        context.CheckWindow([input[2], input[3]], kernel, dilations, pads);
        // ceil_mode exists from opset 10; earlier models always floor.
        bool ceil = context.Opset >= 10 && context.GetFlag("ceil_mode", false);
        return (x, kernel, strides, pads, ceil);
    }

    private static void ImportMaxPool(OnnxImportContext context)
    {
        if (context.HasOutput(1)) throw context.Error($"the Indices output '{context.OutputName(1)}' is not supported");
        if (context.GetFlag("storage_order", false)) throw context.Error("storage_order=1 is not supported");
        var dilations = context.Opset >= 10 ? context.Pair("dilations") : [1, 1];
        var (x, kernel, strides, pads, ceil) = PoolGeometry(context, dilations);
        context.AddNode(new MaxPool2d(kernel, strides, pads, dilations, ceil), [x]);
    }

    private static void ImportAveragePool(OnnxImportContext context)
    {
        var (x, kernel, strides, pads, ceil) = PoolGeometry(context, [1, 1]);
        bool countIncludePad = context.GetFlag("count_include_pad", false);
        context.AddNode(new AveragePool2d(kernel, strides, pads, ceil, countIncludePad), [x]);
    }
}
