using ModelAudit.Audit.Data;
using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Cli;

/// <summary>
/// The one loader of the commands' data files (<c>--input</c>, <c>--labels</c>, <c>--target</c>): regular files
/// only, finite inputs, and class indices through <see cref="ClassLabels"/>; every error names the file and the sample.
/// </summary>
internal static class CliData
{
    /// <summary>Reads <c>--input</c>: a regular .npy file of finite float32/float64 values shaped like the model input.</summary>
    public static Tensor Input(OnnxSession session, string path)
    {
        var array = DataChecks.ReadNpy(path);
        if (array.Shape.Length > 0 && array.Shape[0] == 0) throw new ModelInputException($"{path}: the file holds no samples");
        var x = session.InputFrom(array, path);
        DataChecks.RequireFinite(array, path);
        return x;
    }

    /// <summary>Reads a .npy of class indices (one per sample of <paramref name="x"/>, <paramref name="what"/> = <c>label</c> or <c>target</c>) and checks each against the model's classes.</summary>
    public static long[] ClassIndices(OnnxSession session, Tensor x, string path, string what, OutputTarget? target = null)
        => ClassLabels.Read(path, x.Shape[0], DataChecks.ClassCount(session, x.Shape, target), what);

    /// <summary>One class for every sample (<c>--target-class K</c>), checked against the model's classes (or the target's count).</summary>
    public static long[] OneClass(OnnxSession session, Tensor x, int value, string option, OutputTarget? target = null)
    {
        var classes = DataChecks.ClassCount(session, x.Shape, target);
        if (value < 0 || (classes is { } c && value >= c))
            throw new ModelInputException($"{option} {value} is outside [0, {classes?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "2147483647"}){(classes is null ? "" : $" (the model has {classes} classes)")}");
        return Enumerable.Repeat((long)value, x.Shape[0]).ToArray();
    }
}
