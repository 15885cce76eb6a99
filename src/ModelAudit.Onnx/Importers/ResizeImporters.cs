using ModelAudit.Onnx.Import;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Onnx.Importers;

/// <summary>
/// Resize (opset 10-20) and Upsample (opset 9), nearest and linear, over the spatial axes of [N,C,...].
/// Each resized axis becomes constant-index Gathers: nearest is one Gather; linear is
/// Gather(i0)·w0 + Gather(i1)·w1 with the interpolation weights as constants (linear in N-D is separable),
/// so the gradient is the engine's scatter-add. Coordinate modes: half_pixel, pytorch_half_pixel,
/// align_corners, asymmetric (what torch and Paddle export).
/// </summary>
internal static class ResizeImporters
{
    public static IEnumerable<IOnnxOperatorImporter> Create()
    {
        yield return new DelegateImporter("Resize", ImportResize, minOpset: 10);
        yield return new DelegateImporter("Upsample", ImportUpsample, minOpset: 9, maxOpset: 9);
    }

    private enum Coordinates
    {
        HalfPixel,
        PytorchHalfPixel,
        AlignCorners,
        Asymmetric,
    }

    private static void ImportUpsample(OnnxImportContext context)
        => Resize(context, Mode(context), Coordinates.Asymmetric, "floor", Doubles(context.GetConstant(1)), sizes: null);

    private static void ImportResize(OnnxImportContext context)
    {
        string mode = Mode(context);
        if (context.Opset < 11)
        {
            Resize(context, mode, Coordinates.Asymmetric, "floor", Doubles(context.GetConstant(1)), sizes: null);
            return;
        }
        var coordinates = context.GetString("coordinate_transformation_mode", "half_pixel") switch
        {
            "half_pixel" => Coordinates.HalfPixel,
            "pytorch_half_pixel" => Coordinates.PytorchHalfPixel,
            "align_corners" => Coordinates.AlignCorners,
            "asymmetric" => Coordinates.Asymmetric,
            var other => throw context.Error($"coordinate_transformation_mode '{other}' is not supported (half_pixel, pytorch_half_pixel, align_corners, asymmetric are)"),
        };
        if (context.GetFlag("exclude_outside", false)) throw context.Error("exclude_outside=1 is not supported");
        // Opset 18 attributes: antialiasing and a subset of axes change the result; the default policy does not.
        if (context.GetFlag("antialias", false)) throw context.Error("antialias=1 is not supported");
        if (context.HasAttribute("axes")) throw context.Error("the axes attribute is not supported; give scales or sizes for every axis");
        if (context.GetString("keep_aspect_ratio_policy", "stretch") != "stretch") throw context.Error("keep_aspect_ratio_policy other than stretch is not supported");
        string nearestMode = context.GetString("nearest_mode", "round_prefer_floor");
        if (nearestMode is not ("round_prefer_floor" or "round_prefer_ceil" or "floor" or "ceil")) throw context.Error($"unknown nearest_mode '{nearestMode}'");
        double[]? scales = context.HasInput(2) && context.GetShape(2).ElementCount > 0 ? Doubles(context.GetConstant(2)) : null;
        long[]? sizes = context.HasInput(3) && context.GetShape(3).ElementCount > 0 ? context.GetConstantInts(3) : null;
        if ((scales is null) == (sizes is null)) throw context.Error("exactly one of scales and sizes must be given");
        Resize(context, mode, coordinates, nearestMode, scales, sizes);
    }

    private static double[] Doubles(OnnxTensor tensor) => [.. Enumerable.Range(0, tensor.Length).Select(tensor.GetDouble)];

    private static string Mode(OnnxImportContext context)
    {
        string mode = context.GetString("mode", "nearest");
        if (mode is not ("nearest" or "linear")) throw context.Error($"mode '{mode}' is not supported (nearest and linear are)");
        return mode;
    }

    private static void Resize(OnnxImportContext context, string mode, Coordinates coordinates, string nearestMode, double[]? scales, long[]? sizes)
    {
        var input = context.GetShape(0).ToArray();
        int rank = input.Length;
        int given = scales?.Length ?? sizes!.Length;
        if (given != rank) throw context.Error($"{(scales is null ? "sizes" : "scales")} has {given} values for rank {rank}");
        var output = new int[rank];
        var scale = new double[rank];
        for (int d = 0; d < rank; d++)
        {
            double s;
            long size;
            if (scales is not null)
            {
                s = scales[d];
                if (!(s > 0) || double.IsInfinity(s)) throw context.Error($"scale {s} of axis {d} must be positive");
                size = (long)Math.Floor(input[d] * s);
            }
            else
            {
                size = sizes![d];
                s = (double)size / input[d];
            }
            if (size < 1 || size > int.MaxValue) throw context.Error($"axis {d} of {input[d]} would resize to {size}");
            output[d] = (int)size;
            scale[d] = s;
            if (d < 2 && size != input[d]) throw context.Error($"resizing axis {d} (batch or channels) is not supported");
        }
        context.CheckedCount(output, ModelLimits.MaxTensorElements, "the resized result");
        int value = context.GetRuntimeInput(0);
        var axes = Enumerable.Range(2, rank - 2).Where(d => output[d] != input[d] || scale[d] != 1).ToList();
        if (axes.Count == 0)
        {
            context.ForwardInput(0, 0);
            return;
        }
        foreach (int d in axes)
        {
            bool last = d == axes[^1];
            value = mode == "nearest"
                ? ResizeNearest(context, value, d, input[d], output[d], scale[d], coordinates, nearestMode, last)
                : ResizeLinear(context, value, d, rank, input[d], output[d], scale[d], coordinates, last);
        }
    }

    private static double Source(int x, int inLength, int outLength, double scale, Coordinates coordinates) => coordinates switch
    {
        Coordinates.HalfPixel => (x + 0.5) / scale - 0.5,
        Coordinates.PytorchHalfPixel => outLength > 1 ? (x + 0.5) / scale - 0.5 : 0,
        Coordinates.AlignCorners => outLength == 1 ? 0 : x * (inLength - 1.0) / (outLength - 1.0),
        _ => x / scale,
    };

    private static int ResizeNearest(OnnxImportContext context, int value, int axis, int inLength, int outLength, double scale, Coordinates coordinates, string nearestMode, bool last)
    {
        var indices = new long[outLength];
        for (int x = 0; x < outLength; x++)
        {
            double s = Source(x, inLength, outLength, scale, coordinates);
            double picked = nearestMode switch
            {
                "floor" => Math.Floor(s),
                "ceil" => Math.Ceiling(s),
                // Ties (x.5) go down or up; other values round to the nearest integer.
                "round_prefer_ceil" => s - Math.Floor(s) == 0.5 ? Math.Ceiling(s) : Math.Round(s),
                _ => s - Math.Floor(s) == 0.5 ? Math.Floor(s) : Math.Round(s),
            };
            indices[x] = (long)Math.Clamp(picked, 0, inLength - 1);
        }
        var gather = new Gather(axis, indices, [outLength]);
        return last ? context.AddNode(gather, [value])[0] : context.AddHelperNode(gather, [value], $"axis{axis}");
    }

    private static int ResizeLinear(OnnxImportContext context, int value, int axis, int rank, int inLength, int outLength, double scale, Coordinates coordinates, bool last)
    {
        var low = new long[outLength];
        var high = new long[outLength];
        var lowWeight = new float[outLength];
        var highWeight = new float[outLength];
        for (int x = 0; x < outLength; x++)
        {
            // Outside the input the coordinate is clamped to the edge (ONNX's and PyTorch's linear modes).
            double s = Math.Clamp(Source(x, inLength, outLength, scale, coordinates), 0, inLength - 1);
            long i0 = (long)Math.Floor(s);
            low[x] = i0;
            high[x] = Math.Min(i0 + 1, inLength - 1);
            highWeight[x] = (float)(s - i0);
            lowWeight[x] = 1f - highWeight[x];
        }
        var weightDims = Enumerable.Repeat(1, rank - axis).ToArray();
        weightDims[0] = outLength;
        int a = context.AddHelperNode(new Gather(axis, low, [outLength]), [value], $"axis{axis}_low");
        int b = context.AddHelperNode(new Gather(axis, high, [outLength]), [value], $"axis{axis}_high");
        int wa = context.AddConstantValue(lowWeight, weightDims, $"axis{axis}_low_weight");
        int wb = context.AddConstantValue(highWeight, weightDims, $"axis{axis}_high_weight");
        int left = context.AddBinary(BinaryKind.Mul, a, wa, $"axis{axis}_low_weighted");
        int right = context.AddBinary(BinaryKind.Mul, b, wb, $"axis{axis}_high_weighted");
        return last ? context.AddNode(new Binary(BinaryKind.Add), [left, right])[0] : context.AddBinary(BinaryKind.Add, left, right, $"axis{axis}");
    }
}
