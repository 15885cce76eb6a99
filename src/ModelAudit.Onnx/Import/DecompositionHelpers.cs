using ModelAudit.Tensors;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Onnx.Import;

/// <summary>
/// Helpers for importers that express one ONNX node as several engine operations (LayerNormalization,
/// the recurrent layers, Resize): build-time constants, per-rank window attributes.
/// </summary>
internal static class DecompositionHelpers
{
    /// <summary>Adds a float constant (not a parameter) named after the node's first output and <paramref name="suffix"/>.</summary>
    public static int AddConstantValue(this OnnxImportContext context, float[] data, int[] dims, string suffix)
        => context.Graph.AddConstant($"{context.OutputName(0)}::{suffix}", Tensor.FromArray(data, dims));

    /// <summary>Adds a one-element float constant broadcastable to any shape.</summary>
    public static int AddScalarValue(this OnnxImportContext context, float value, string suffix)
        => context.AddConstantValue([value], [1], suffix);

    /// <summary>Adds a helper node computing <c>a (kind) b</c>.</summary>
    public static int AddBinary(this OnnxImportContext context, BinaryKind kind, int a, int b, string suffix)
        => context.AddHelperNode(new Binary(kind), [a, b], suffix);

    /// <summary>Adds a helper node computing an element-wise function.</summary>
    public static int AddUnary(this OnnxImportContext context, UnaryKind kind, int x, string suffix)
        => context.AddHelperNode(new Unary(kind), [x], suffix);

    /// <summary>Adds a helper reshape to <paramref name="dims"/>.</summary>
    public static int AddReshape(this OnnxImportContext context, int x, int[] dims, string suffix)
        => context.AddHelperNode(new Reshape(dims), [x], suffix);

    /// <summary>The shape of a graph value.</summary>
    public static TensorShape ShapeOf(this OnnxImportContext context, int valueId) => context.Graph.Values[valueId].Shape;

    /// <summary>
    /// A per-spatial-axis attribute (strides, dilations, kernel_shape) with a default of ones; exactly
    /// <paramref name="count"/> values, each in [1, 2^31-1].
    /// </summary>
    public static int[] Spatial(this OnnxImportContext context, string name, int count)
    {
        var values = context.GetInts(name, 1, int.MaxValue) ?? [.. Enumerable.Repeat(1L, count)];
        if (values.Length != count) throw context.Error($"{name} has {values.Length} values; {count} expected for a {count}-D operation");
        return context.ToInts(values, name);
    }

    /// <summary>
    /// Explicit pads [begin..., end...] for <paramref name="input"/>.Length spatial axes from <c>pads</c> or
    /// <c>auto_pad</c> (SAME_UPPER puts the odd extra pad at the end, SAME_LOWER at the start).
    /// </summary>
    public static int[] SpatialPads(this OnnxImportContext context, int[] input, int[] kernel, int[] strides, int[] dilations)
    {
        int n = input.Length;
        string autoPad = context.GetString("auto_pad", "NOTSET");
        switch (autoPad)
        {
            case "NOTSET" or "":
                var pads = context.GetInts("pads", 0, int.MaxValue) ?? new long[2 * n];
                if (pads.Length != 2 * n) throw context.Error($"pads has {pads.Length} values; {2 * n} expected for a {n}-D operation");
                return context.ToInts(pads, "pads");
            case "VALID":
                return new int[2 * n];
            case "SAME_UPPER" or "SAME_LOWER":
                var result = new int[2 * n];
                for (int i = 0; i < n; i++)
                {
                    long output = (input[i] + (long)strides[i] - 1) / strides[i];
                    long effectiveKernel = (kernel[i] - 1L) * dilations[i] + 1;
                    long total = Math.Max(0, (output - 1) * strides[i] + effectiveKernel - input[i]);
                    if (total > int.MaxValue) throw context.Error($"auto_pad {autoPad} needs a pad of {total}, more than 2^31-1");
                    int small = (int)(total / 2);
                    int large = (int)total - small;
                    result[i] = autoPad == "SAME_UPPER" ? small : large;
                    result[i + n] = autoPad == "SAME_UPPER" ? large : small;
                }
                return result;
            default:
                throw context.Error($"unknown auto_pad '{autoPad}' (expected NOTSET, VALID, SAME_UPPER or SAME_LOWER)");
        }
    }

    /// <summary>Checks that a window gives at least one output position on every spatial axis.</summary>
    public static void CheckSpatialWindow(this OnnxImportContext context, int[] input, int[] kernel, int[] dilations, int[] pads)
    {
        int n = input.Length;
        for (int i = 0; i < n; i++)
        {
            long effectiveKernel = (kernel[i] - 1L) * dilations[i] + 1;
            long padded = (long)input[i] + pads[i] + pads[i + n];
            if (effectiveKernel > padded)
                throw context.Error($"the {AxisName(i, n)} window of {effectiveKernel} (kernel {kernel[i]}, dilation {dilations[i]}) is larger than the padded input {padded}");
        }
    }

    private static string AxisName(int axis, int spatialAxes) => (spatialAxes - axis) switch
    {
        1 => spatialAxes == 1 ? "length" : "width",
        2 => "height",
        _ => "depth",
    };
}
