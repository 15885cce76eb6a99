using ModelAudit.Tensors.Io;

namespace ModelAudit.Audit.Data;

/// <summary>How many samples a data file holds, read the way the audit reads it (dimension 0 of the array; CSV data rows).</summary>
public static class SampleCount
{
    /// <summary>The number of samples in <paramref name="path"/> (.npy, .npz: the first array in ordinal order, .csv with a header row).</summary>
    /// <exception cref="DataFileException">The file is missing, not a regular file, malformed, or of another type.</exception>
    public static int Of(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        DataChecks.RequireRegularFile(path);
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".csv":
                return CsvData.CountRows(path, hasHeader: true);
            case ".npz":
                var arrays = NpzFile.Read(path);
                if (arrays.Count == 0) throw new DataFileException($"{path}: the archive holds no arrays");
                return FirstDimension(arrays[arrays.Keys.Order(StringComparer.Ordinal).First()]);
            case ".npy":
                return FirstDimension(NpyFile.Read(path));
            default:
                throw new DataFileException($"{path}: samples must be a .npy, .npz or .csv file");
        }
    }

    private static int FirstDimension(NpyArray array) => array.Shape.Length > 0 ? array.Shape[0] : 0;
}
