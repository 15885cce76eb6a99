namespace ModelAudit.Onnx.Import;

/// <summary>Attribute conventions shared by several importers.</summary>
internal static class ImportHelpers
{
    /// <summary>A possibly negative axis made non-negative against <paramref name="rank"/>; an error naming the node when out of range.</summary>
    public static int Axis(this OnnxImportContext context, long axis, int rank)
    {
        long a = axis < 0 ? axis + rank : axis;
        // A scalar (rank 0) has no axis at all.
        if (a < 0 || a >= rank) throw context.Error($"axis {axis} is out of range for rank {rank}");
        return (int)a;
    }

    /// <summary>Axes given by an attribute (before <paramref name="inputFromOpset"/>) or by input <paramref name="inputIndex"/> (from it); null when absent.</summary>
    public static long[]? AxesAttributeOrInput(this OnnxImportContext context, int inputFromOpset, int inputIndex, string attribute = "axes")
        => context.Opset >= inputFromOpset
            ? context.HasInput(inputIndex) ? context.GetConstantInts(inputIndex) : null
            : context.GetInts(attribute, int.MinValue, int.MaxValue);

    /// <summary>Checked conversion of attribute values to int.</summary>
    public static int[] ToInts(this OnnxImportContext context, long[] values, string what)
    {
        var result = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] < int.MinValue || values[i] > int.MaxValue) throw context.Error($"{what} value {values[i]} is out of range");
            result[i] = (int)values[i];
        }
        return result;
    }

    /// <summary>
    /// Explicit 2-D pads [top, left, bottom, right] from <c>pads</c> (each in [0, 2^31-1]) or <c>auto_pad</c>
    /// (SAME_UPPER puts the odd extra pad at the end, SAME_LOWER at the start, VALID pads nothing).
    /// </summary>
    public static int[] Pads2d(this OnnxImportContext context, int[] inputHw, int[] kernel, int[] strides, int[] dilations)
    {
        string autoPad = context.GetString("auto_pad", "NOTSET");
        switch (autoPad)
        {
            case "NOTSET" or "":
                var pads = context.GetInts("pads", 0, int.MaxValue) ?? [0, 0, 0, 0];
                if (pads.Length != 4) throw context.Error($"pads has {pads.Length} values; 4 expected for a 2-D operation");
                return context.ToInts(pads, "pads");
            case "VALID":
                return [0, 0, 0, 0];
            case "SAME_UPPER" or "SAME_LOWER":
                var result = new int[4];
                for (int i = 0; i < 2; i++)
                {
                    // long arithmetic: strides, kernels and dilations can each be up to 2^31-1.
                    long output = (inputHw[i] + (long)strides[i] - 1) / strides[i];
                    long effectiveKernel = (kernel[i] - 1L) * dilations[i] + 1;
                    long total = Math.Max(0, (output - 1) * strides[i] + effectiveKernel - inputHw[i]);
                    if (total > int.MaxValue) throw context.Error($"auto_pad {autoPad} needs a pad of {total}, more than 2^31-1");
                    int small = (int)(total / 2);
                    int large = (int)total - small;
                    result[i] = autoPad == "SAME_UPPER" ? small : large;
                    result[i + 2] = autoPad == "SAME_UPPER" ? large : small;
                }
                return result;
            default:
                throw context.Error($"unknown auto_pad '{autoPad}' (expected NOTSET, VALID, SAME_UPPER or SAME_LOWER)");
        }
    }

    /// <summary>A 2-D attribute pair (strides, dilations, kernel_shape) with a default of ones; each value in [1, 2^31-1].</summary>
    public static int[] Pair(this OnnxImportContext context, string name)
    {
        var values = context.GetInts(name, 1, int.MaxValue) ?? [1, 1];
        if (values.Length != 2) throw context.Error($"{name} has {values.Length} values; 2 expected for a 2-D operation");
        return context.ToInts(values, name);
    }

    /// <summary>Checks that a 2-D window (kernel, dilations, pads, strides) gives at least one output position on <paramref name="inputHw"/>.</summary>
    public static void CheckWindow(this OnnxImportContext context, int[] inputHw, int[] kernel, int[] dilations, int[] pads)
    {
        for (int i = 0; i < 2; i++)
        {
            long effectiveKernel = (kernel[i] - 1L) * dilations[i] + 1;
            long padded = (long)inputHw[i] + pads[i] + pads[i + 2];
            if (effectiveKernel > padded)
                throw context.Error($"the {(i == 0 ? "height" : "width")} window of {effectiveKernel} (kernel {kernel[i]}, dilation {dilations[i]}) is larger than the padded input {padded}");
        }
    }

    /// <summary>The element count of <paramref name="dims"/>; an error when it exceeds <paramref name="limit"/> (checked before allocating).</summary>
    public static int CheckedCount(this OnnxImportContext context, int[] dims, long limit, string what)
    {
        long count = ModelLimits.ElementCount(dims);
        if (count > limit) throw context.Error($"{what} of shape [{string.Join(",", dims)}] would hold more than {limit} elements");
        return (int)count;
    }
}
