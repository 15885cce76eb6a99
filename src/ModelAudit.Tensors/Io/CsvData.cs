using System.Globalization;

namespace ModelAudit.Tensors.Io;

/// <summary>
/// A numeric CSV table: feature rows and, optionally, one label column taken out of them.
/// </summary>
public sealed class CsvData
{
    private CsvData(string[] featureNames, float[] features, int rows, double[]? labels, string? labelName)
    {
        FeatureNames = featureNames;
        Features = features;
        Rows = rows;
        Labels = labels;
        LabelName = labelName;
    }

    /// <summary>Feature column names (from the header, else <c>c0</c>, <c>c1</c>, ...).</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Feature values, row-major: <see cref="Rows"/> by <see cref="Columns"/>.</summary>
    public float[] Features { get; }

    /// <summary>Number of data rows.</summary>
    public int Rows { get; }

    /// <summary>Number of feature columns.</summary>
    public int Columns => FeatureNames.Count;

    /// <summary>The label column's values, or null when no label column was asked for.</summary>
    public double[]? Labels { get; }

    /// <summary>The label column's name, or null.</summary>
    public string? LabelName { get; }

    /// <summary>The features as a <c>[Rows, Columns]</c> tensor (a copy).</summary>
    public Tensor ToTensor() => Tensor.FromArray((float[])Features.Clone(), Rows, Columns);

    /// <summary>The labels as class indices.</summary>
    /// <exception cref="InvalidOperationException">There is no label column.</exception>
    /// <exception cref="DataFileException">A label is not a whole number.</exception>
    public long[] LabelsAsClassIndices(string path)
    {
        if (Labels is null) throw new InvalidOperationException("The table was read without a label column.");
        var result = new long[Labels.Length];
        for (int i = 0; i < Labels.Length; i++)
        {
            double v = Labels[i];
            // Whole numbers that a long holds exactly; the message names the file, the column and the data row.
            if (!double.IsFinite(v) || Math.Floor(v) != v || Math.Abs(v) > (1L << 53))
                throw new DataFileException($"{path}: label column '{LabelName}', data row {i + 1}: value {v.ToString(CultureInfo.InvariantCulture)} is not a whole number");
            result[i] = (long)v;
        }
        return result;
    }

    /// <summary>
    /// Reads <paramref name="path"/>: comma-separated numbers, an optional header row, and optionally a
    /// label column given by header name or by zero-based index (negative counts from the end).
    /// Blank lines are skipped.
    /// </summary>
    /// <exception cref="DataFileException">The file is missing or not a regular file, a cell is not a finite number, rows differ in length, or the label column does not exist; the message names the file and line.</exception>
    public static CsvData Read(string path, bool hasHeader, string? labelColumn = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        SafeFile.EnsureRegular(path); // a FIFO or device would block File.ReadLines or never end
        string[]? header = null;
        int labelIndex = -1;
        int width = -1;
        var features = new List<float>();
        var labels = new List<double>();
        int lineNumber = 0;
        int rows = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var cells = line.Split(',');
            for (int i = 0; i < cells.Length; i++) cells[i] = cells[i].Trim().Trim('"');
            if (width < 0)
            {
                width = cells.Length;
                if (hasHeader)
                {
                    header = cells;
                    labelIndex = ResolveLabel(labelColumn, header, width, path);
                    continue;
                }
                labelIndex = ResolveLabel(labelColumn, null, width, path);
            }
            if (cells.Length != width)
                throw new DataFileException($"{path}:{lineNumber}: expected {width} columns, got {cells.Length}");
            for (int c = 0; c < width; c++)
            {
                if (!double.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    string column = header is null ? $"column {c}" : $"column '{Clip(header[c])}'";
                    throw new DataFileException($"{path}:{lineNumber}: {column}: '{Clip(cells[c])}' is not a number");
                }
                if (!double.IsFinite(value) || (c != labelIndex && !float.IsFinite((float)value)))
                {
                    string column = header is null ? $"column {c}" : $"column '{Clip(header[c])}'";
                    throw new DataFileException($"{path}:{lineNumber}: {column}: '{Clip(cells[c])}' (sample {rows}) is not a finite number");
                }
                if (c == labelIndex) labels.Add(value);
                else features.Add((float)value);
            }
            rows++;
        }
        if (width < 0) throw new DataFileException($"{path}: the file is empty");
        var names = new List<string>();
        for (int c = 0; c < width; c++)
            if (c != labelIndex) names.Add(header?[c] ?? $"c{c}");
        string? labelName = labelIndex < 0 ? null : header?[labelIndex] ?? $"c{labelIndex}";
        return new CsvData([.. names], [.. features], rows, labelIndex < 0 ? null : [.. labels], labelName);
    }

    /// <summary>A cell as errors quote it: at most 80 characters.</summary>
    private static string Clip(string text) => text.Length <= 80 ? text : text[..80] + $"... ({text.Length} characters)";

    private static int ResolveLabel(string? labelColumn, string[]? header, int width, string path)
    {
        if (labelColumn is null) return -1;
        if (header is not null)
        {
            int byName = Array.IndexOf(header, labelColumn);
            if (byName >= 0) return byName;
        }
        if (int.TryParse(labelColumn, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
        {
            int resolved = index < 0 ? index + width : index;
            if (resolved >= 0 && resolved < width) return resolved;
            throw new DataFileException($"{path}: label column index {index} is out of range for {width} columns");
        }
        string known = header is null ? "the file has no header" : "columns: " + string.Join(", ", header);
        throw new DataFileException($"{path}: no label column '{Clip(labelColumn)}' ({Clip(known)})");
    }
}
