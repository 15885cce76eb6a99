using ModelAudit.Onnx;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Audit.Data;

/// <summary>
/// The one loader of class labels and targets, for the audit (<c>data.labels</c>, a CSV label column) and every command
/// (<c>--labels</c>, <c>--target</c>): integer class indices, one per sample, each inside the model's classes. Every error is
/// one line naming the file and, for a bad value, the first sample that holds one (exit 3).
/// </summary>
public static class ClassLabels
{
    /// <summary>Reads a regular .npy file of class indices: integer, shape [<paramref name="samples"/>], each in [0, <paramref name="classes"/>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="samples">The number of samples it must cover.</param>
    /// <param name="classes">The model's classes, or null when the model's output is not [N, C].</param>
    /// <param name="what"><c>label</c> or <c>target</c>, for messages.</param>
    /// <exception cref="DataFileException">Not a regular file, or not a readable .npy.</exception>
    /// <exception cref="ModelInputException">Wrong type, shape or range.</exception>
    public static long[] Read(string path, int samples, int? classes, string what = "label")
    {
        var array = DataChecks.ReadNpy(path);
        if (array.Shape.Length != 1 || array.Shape[0] != samples || array.DType is NpyDType.Float32 or NpyDType.Float64 or NpyDType.Bool)
            throw new ModelInputException($"{path}: expected integer {what}s of shape [{samples}], got {array}");
        var values = array.ToInt64();
        Require(values, classes, path, what);
        return values;
    }

    /// <summary>The label column of a CSV file as class indices: whole numbers (checked by <see cref="CsvData.LabelsAsClassIndices"/>), each in [0, <paramref name="classes"/>).</summary>
    /// <exception cref="DataFileException">A label is not a whole number (the data row is named).</exception>
    /// <exception cref="ModelInputException">A label is outside the classes.</exception>
    public static long[] FromCsv(CsvData csv, string path, int? classes)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var values = csv.LabelsAsClassIndices(path);
        Require(values, classes, path, "label");
        return values;
    }

    /// <summary>Throws unless every value is a class index in [0, <paramref name="classes"/>) (or a non-negative 32-bit integer when <paramref name="classes"/> is null).</summary>
    /// <exception cref="ModelInputException">The first value outside, with its sample index and the range.</exception>
    public static void Require(ReadOnlySpan<long> values, int? classes, string source, string what)
    {
        long limit = classes ?? int.MaxValue;
        for (int i = 0; i < values.Length; i++)
            if (values[i] < 0 || values[i] >= limit)
                throw new ModelInputException($"{source}: {what} {values[i]} of sample {i} is outside [0, {limit})");
    }
}
