using ModelAudit.Onnx.Import;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Onnx.Importers;

/// <summary>
/// Conv, ConvTranspose and the pooling operators over 1-D (rank 3), 2-D (rank 4) and 3-D (rank 5;
/// Conv and pooling) inputs. A 1-D operation runs as the 2-D one on [N,C,1,L] (reshapes around it,
/// kernel [1,k]), so the same kernels and gradients apply.
/// </summary>
internal static class ConvolutionImporters
{
    public static IEnumerable<IOnnxOperatorImporter> Create()
    {
        yield return new DelegateImporter("Conv", ImportConv);
        yield return new DelegateImporter("ConvTranspose", ImportConvTranspose);
        yield return new DelegateImporter("MaxPool", ImportMaxPool);
        yield return new DelegateImporter("AveragePool", ImportAveragePool);
        yield return new DelegateImporter("GlobalAveragePool", c => c.AddNode(new GlobalAveragePool(), [Spatial(c)]));
        yield return new DelegateImporter("GlobalMaxPool", c => c.AddNode(new Reduce(ReduceKind.Max, [.. Enumerable.Range(2, c.GetRank(0) - 2)], keepDims: true), [Spatial(c)]));
    }

    // The runtime input, checked to be [N,C,spatial...] with one to three spatial axes (two at most when not volumetric).
    private static int Spatial(OnnxImportContext context, bool volumetric = true)
    {
        int rank = context.GetRank(0);
        if (rank is not (3 or 4) && !(volumetric && rank == 5))
            throw context.Error($"only 1-D (NCL), 2-D (NCHW){(volumetric ? " and 3-D (NCDHW)" : "")} inputs are supported, got rank {rank} {context.GetShape(0)}");
        return context.GetRuntimeInput(0);
    }

    // A 3-D window from per-axis kernel, strides, pads [begins..., ends...] and dilations.
    private static Tensors.Kernels.Window3d Window(int[] kernel, int[] strides, int[] pads, int[] dilations, bool ceil)
        => new(kernel[0], kernel[1], kernel[2], strides[0], strides[1], strides[2], pads[0], pads[1], pads[2], pads[3], pads[4], pads[5],
            dilations[0], dilations[1], dilations[2], ceil);

    /// <summary>The spatial sizes of input 0 ([L] or [H, W]).</summary>
    private static int[] SpatialSizes(OnnxImportContext context) => context.GetShape(0).ToArray()[2..];

    // A 1-D per-axis attribute [a] as the 2-D [fill, a] (fill 1 for sizes, 0 for output padding); 2-D ones unchanged.
    private static int[] Lift(int[] values, int fill = 1) => values.Length == 1 ? [fill, values[0]] : values;

    // 1-D pads [begin, end] as the 2-D [0, begin, 0, end]; 2-D ones unchanged.
    private static int[] LiftPads(int[] pads, int spatial) => spatial == 1 ? [0, pads[0], 0, pads[1]] : pads;

    /// <summary>Runs a 2-D operation on a 1-D input lifted to [N,C,1,L] and binds its result reshaped back.</summary>
    private static void AddSpatial(OnnxImportContext context, Operation operation, int x, IReadOnlyList<int> extraInputs)
    {
        var shape = context.GetShape(0);
        if (shape.Rank == 4)
        {
            context.AddNode(operation, [x, .. extraInputs]);
            return;
        }
        int lifted = context.AddReshape(x, [shape[0], shape[1], 1, shape[2]], "nc1l");
        int y = context.AddHelperNode(operation, [lifted, .. extraInputs], "2d");
        var y2 = context.ShapeOf(y);
        context.AddNode(new Reshape([y2[0], y2[1], y2[3]]), [y]);
    }

    private static void ImportConv(OnnxImportContext context)
    {
        var x = Spatial(context);
        int spatial = context.GetRank(0) - 2;
        var w = context.GetShape(1);
        if (w.Rank != spatial + 2) throw context.Error($"weight shape {w} does not match the rank-{spatial + 2} input {context.GetShape(0)}");
        var strides = context.Spatial("strides", spatial);
        var dilations = context.Spatial("dilations", spatial);
        int[] kernel = w.ToArray()[2..];
        if (context.HasAttribute("kernel_shape"))
        {
            var given = context.Spatial("kernel_shape", spatial);
            // kernel_shape is redundant with the weights; a disagreement means a corrupt model.
            if (!given.SequenceEqual(kernel))
                throw context.Error($"kernel_shape [{string.Join(",", given)}] does not match the weight shape {w}");
        }
        var input = context.GetShape(0);
        int groups = (int)context.GetInt("group", 1, 1, int.MaxValue);
        if (input[1] % groups != 0 || w[0] % groups != 0 || (long)w[1] * groups != input[1])
            throw context.Error($"group {groups} does not fit input {input} and weights {w}");
        var sizes = SpatialSizes(context);
        var pads = context.SpatialPads(sizes, kernel, strides, dilations);
        context.CheckSpatialWindow(sizes, kernel, dilations, pads);
        if (spatial == 3)
        {
            var inputs3d = new List<int> { x, context.GetRuntimeInput(1) };
            if (context.HasInput(2)) inputs3d.Add(context.GetRuntimeInput(2));
            context.AddNode(new Conv3d(Window(kernel, strides, pads, dilations, ceil: false), groups), inputs3d);
            return;
        }
        int weights = context.GetRuntimeInput(1);
        // The weight parameter keeps its ONNX name; the 1-D form views it as [O, C/g, 1, k].
        if (spatial == 1) weights = context.AddReshape(weights, [w[0], w[1], 1, w[2]], "weights_2d");
        var extra = new List<int> { weights };
        if (context.HasInput(2)) extra.Add(context.GetRuntimeInput(2));
        AddSpatial(context, new Conv2d(Lift(strides), LiftPads(pads, spatial), Lift(dilations), groups), x, extra);
    }

    private static void ImportConvTranspose(OnnxImportContext context)
    {
        var x = Spatial(context, volumetric: false);
        int spatial = context.GetRank(0) - 2;
        var input = context.GetShape(0);
        var w = context.GetShape(1);
        if (w.Rank != spatial + 2) throw context.Error($"weight shape {w} does not match the rank-{spatial + 2} input {input}");
        int groups = (int)context.GetInt("group", 1, 1, int.MaxValue);
        if (w[0] != input[1] || input[1] % groups != 0) throw context.Error($"group {groups} does not fit input {input} and weights {w}");
        int[] kernel = w.ToArray()[2..];
        if (context.HasAttribute("kernel_shape") && !context.Spatial("kernel_shape", spatial).SequenceEqual(kernel))
            throw context.Error($"kernel_shape does not match the weight shape {w}");
        if (context.HasAttribute("output_shape")) throw context.Error("output_shape is not supported; give pads and output_padding");
        string autoPad = context.GetString("auto_pad", "NOTSET");
        if (autoPad is not ("NOTSET" or "" or "VALID")) throw context.Error($"auto_pad '{autoPad}' is not supported for ConvTranspose (NOTSET and VALID are)");
        var strides = context.Spatial("strides", spatial);
        var dilations = context.Spatial("dilations", spatial);
        var pads = autoPad == "VALID" ? new int[2 * spatial] : context.SpatialPads(input.ToArray()[2..], kernel, strides, dilations);
        var outputPadding = context.ToInts(context.GetInts("output_padding", 0, int.MaxValue) ?? new long[spatial], "output_padding");
        if (outputPadding.Length != spatial) throw context.Error($"output_padding has {outputPadding.Length} values; {spatial} expected");
        for (int i = 0; i < spatial; i++)
            if (outputPadding[i] >= strides[i] && outputPadding[i] >= dilations[i])
                throw context.Error($"output_padding {outputPadding[i]} must be smaller than the stride {strides[i]} or the dilation {dilations[i]}");
        int weights = context.GetRuntimeInput(1);
        if (spatial == 1) weights = context.AddReshape(weights, [w[0], w[1], 1, w[2]], "weights_2d");
        var operation = new ConvTranspose2d(Lift(strides), LiftPads(pads, spatial), Lift(dilations), Lift(outputPadding, 0), groups);
        if (!context.HasInput(2))
        {
            AddSpatial(context, operation, x, [weights]);
            return;
        }
        // Bias [Cout] added per channel after the transposed convolution.
        var bias = context.GetShape(2);
        int outChannels = w[1] * groups;
        if (bias.Rank != 1 || bias[0] != outChannels) throw context.Error($"bias B {bias} must be [{outChannels}]");
        int lifted = spatial == 1 ? context.AddReshape(x, [input[0], input[1], 1, input[2]], "nc1l") : x;
        int y = context.AddHelperNode(operation, [lifted, weights], "no_bias");
        int b = context.AddReshape(context.GetRuntimeInput(2), [outChannels, 1, 1], "bias");
        if (spatial == 2)
        {
            context.AddNode(new Binary(BinaryKind.Add), [y, b]);
            return;
        }
        int biased = context.AddBinary(BinaryKind.Add, y, b, "biased");
        var y2 = context.ShapeOf(biased);
        context.AddNode(new Reshape([y2[0], y2[1], y2[3]]), [biased]);
    }

    private static (int X, int[] Kernel, int[] Strides, int[] Pads, bool CeilMode) PoolGeometry(OnnxImportContext context, int[] dilations, bool lift = true)
    {
        var x = Spatial(context);
        int spatial = context.GetRank(0) - 2;
        if (!context.HasAttribute("kernel_shape")) throw context.Error("kernel_shape is required");
        var kernel = context.Spatial("kernel_shape", spatial);
        var strides = context.Spatial("strides", spatial);
        var sizes = SpatialSizes(context);
        var pads = context.SpatialPads(sizes, kernel, strides, dilations);
        // ONNX requires pads smaller than the kernel: a window wholly in the padding has no input element.
        for (int i = 0; i < pads.Length; i++)
            if (pads[i] >= kernel[i % spatial]) throw context.Error($"pad {pads[i]} is not smaller than kernel size {kernel[i % spatial]}");
        context.CheckSpatialWindow(sizes, kernel, dilations, pads);
        // ceil_mode exists from opset 10; earlier models always floor.
        bool ceil = context.Opset >= 10 && context.GetFlag("ceil_mode", false);
        return lift ? (x, Lift(kernel), Lift(strides), LiftPads(pads, spatial), ceil) : (x, kernel, strides, pads, ceil);
    }

    private static void ImportMaxPool(OnnxImportContext context)
    {
        if (context.HasOutput(1)) throw context.Error($"the Indices output '{context.OutputName(1)}' is not supported");
        if (context.GetFlag("storage_order", false)) throw context.Error("storage_order=1 is not supported");
        int spatial = Math.Max(1, context.GetRank(0) - 2);
        var dilations = context.Opset >= 10 ? context.Spatial("dilations", spatial) : [.. Enumerable.Repeat(1, spatial)];
        if (spatial == 3)
        {
            var (x3, k3, s3, p3, c3) = PoolGeometry(context, dilations, lift: false);
            context.AddNode(new Pool3d(Window(k3, s3, p3, dilations, c3), average: false, countIncludePad: false), [x3]);
            return;
        }
        var (x, kernel, strides, pads, ceil) = PoolGeometry(context, dilations);
        AddSpatial(context, new MaxPool2d(kernel, strides, pads, Lift(dilations), ceil), x, []);
    }

    private static void ImportAveragePool(OnnxImportContext context)
    {
        int spatial = Math.Max(1, context.GetRank(0) - 2);
        // Opset 19 adds dilations to AveragePool; the kernels pool contiguous windows only.
        if (context.Opset >= 19 && context.Spatial("dilations", spatial).Any(d => d != 1)) throw context.Error("AveragePool dilations other than 1 are not supported");
        bool countIncludePad = context.GetFlag("count_include_pad", false);
        if (spatial == 3)
        {
            var (x3, k3, s3, p3, c3) = PoolGeometry(context, [1, 1, 1], lift: false);
            context.AddNode(new Pool3d(Window(k3, s3, p3, [1, 1, 1], c3), average: true, countIncludePad), [x3]);
            return;
        }
        var (x, kernel, strides, pads, ceil) = PoolGeometry(context, [.. Enumerable.Repeat(1, spatial)]);
        AddSpatial(context, new AveragePool2d(kernel, strides, pads, ceil, countIncludePad), x, []);
    }
}
