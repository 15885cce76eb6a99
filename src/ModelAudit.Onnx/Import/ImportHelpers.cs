namespace ModelAudit.Onnx.Import;

/// <summary>Attribute conventions shared by several importers.</summary>
internal static class ImportHelpers
{
    /// <summary>A possibly negative axis made non-negative against <paramref name="rank"/>; an error naming the node when out of range.</summary>
    public static int Axis(this OnnxImportContext context, long axis, int rank)
    {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= Math.Max(rank, 1)) throw context.Error($"axis {axis} is out of range for rank {rank}");
        return (int)a;
    }

    /// <summary>Axes given by an attribute (before <paramref name="inputFromOpset"/>) or by input <paramref name="inputIndex"/> (from it); null when absent.</summary>
    public static long[]? AxesAttributeOrInput(this OnnxImportContext context, int inputFromOpset, int inputIndex, string attribute = "axes")
        => context.Opset >= inputFromOpset
            ? context.HasInput(inputIndex) ? context.GetConstantInts(inputIndex) : null
            : context.GetInts(attribute);

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
    /// Explicit 2-D pads [top, left, bottom, right] from <c>pads</c> or <c>auto_pad</c> (SAME_UPPER puts the
    /// odd extra pad at the end, SAME_LOWER at the start, VALID pads nothing).
    /// </summary>
    public static int[] Pads2d(this OnnxImportContext context, int[] inputHw, int[] kernel, int[] strides, int[] dilations)
    {
        string autoPad = context.GetString("auto_pad", "NOTSET");
        switch (autoPad)
        {
            case "NOTSET" or "":
                var pads = context.GetInts("pads") ?? [0, 0, 0, 0];
                if (pads.Length != 4) throw context.Error($"pads has {pads.Length} values; 4 expected for a 2-D operation");
                return context.ToInts(pads, "pads");
            case "VALID":
                return [0, 0, 0, 0];
            case "SAME_UPPER" or "SAME_LOWER":
                var result = new int[4];
                for (int i = 0; i < 2; i++)
                {
                    int output = (inputHw[i] + strides[i] - 1) / strides[i];
                    int effectiveKernel = (kernel[i] - 1) * dilations[i] + 1;
                    int total = Math.Max(0, (output - 1) * strides[i] + effectiveKernel - inputHw[i]);
                    int small = total / 2;
                    int large = total - small;
                    result[i] = autoPad == "SAME_UPPER" ? small : large;
                    result[i + 2] = autoPad == "SAME_UPPER" ? large : small;
                }
                return result;
            default:
                throw context.Error($"unknown auto_pad '{autoPad}'");
        }
    }

    /// <summary>A 2-D attribute pair (strides, dilations) with a default of ones.</summary>
    public static int[] Pair(this OnnxImportContext context, string name)
    {
        var values = context.GetInts(name) ?? [1, 1];
        if (values.Length != 2) throw context.Error($"{name} has {values.Length} values; 2 expected for a 2-D operation");
        return context.ToInts(values, name);
    }
}
