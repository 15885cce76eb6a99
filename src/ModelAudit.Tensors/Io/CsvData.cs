using System.Globalization;
using nietras.SeparatedValues;

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
    /// Reads <paramref name="path"/> as RFC 4180 CSV (through Sep): comma-separated numbers, quoted fields and
    /// quoted header names (<c>"sepal length, cm"</c>, <c>""</c> for a quote inside), an optional header row, and
    /// optionally a label column given by header name or by zero-based index (negative counts from the end).
    /// Spaces around cells and blank lines are skipped.
    /// </summary>
    /// <exception cref="DataFileException">The file is missing or not a regular file, a cell is not a finite number, rows differ in length, or the label column does not exist; the message names the file and line.</exception>
    public static CsvData Read(string path, bool hasHeader, string? labelColumn = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        // A FIFO or device would block the reader or never end; OpenRegular refuses them before opening.
        using var stream = SafeFile.OpenRegular(path, long.MaxValue);
        // The separator is fixed (Sep would otherwise guess it from the first row), quotes are unescaped, spaces
        // around cells trimmed; rows of another width are our error below, with the line number.
        using var reader = Sep.New(',').Reader(o => o with
        {
            HasHeader = false,
            Unescape = true,
            Trim = SepTrim.All,
            DisableColCountCheck = true,
            CultureInfo = CultureInfo.InvariantCulture,
        }).From(stream);
        string[]? header = null;
        int labelIndex = -1;
        int width = -1;
        var features = new List<float>();
        var labels = new List<double>();
        int rows = 0;
        foreach (var row in reader)
        {
            int lineNumber = row.LineNumberFrom;
            if (row.ColCount == 1 && row[0].Span.IsWhiteSpace()) continue;
            if (width < 0)
            {
                width = row.ColCount;
                if (hasHeader)
                {
                    header = new string[width];
                    for (int c = 0; c < width; c++) header[c] = row[c].ToString();
                    labelIndex = ResolveLabel(labelColumn, header, width, path);
                    continue;
                }
                labelIndex = ResolveLabel(labelColumn, null, width, path);
            }
            if (row.ColCount != width)
                throw new DataFileException($"{path}:{lineNumber}: expected {width} columns, got {row.ColCount}");
            for (int c = 0; c < width; c++)
            {
                var cell = row[c].Span;
                if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                    throw new DataFileException($"{path}:{lineNumber}: {Column(header, c)}: '{Clip(cell.ToString())}' is not a number");
                if (!double.IsFinite(value) || (c != labelIndex && !float.IsFinite((float)value)))
                    throw new DataFileException($"{path}:{lineNumber}: {Column(header, c)}: '{Clip(cell.ToString())}' (sample {rows}) is not a finite number");
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

    /// <summary>Counts the data rows of <paramref name="path"/> (non-blank rows, less the header) without parsing the cells.</summary>
    /// <exception cref="DataFileException">The file is missing or not a regular file.</exception>
    public static int CountRows(string path, bool hasHeader)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = SafeFile.OpenRegular(path, long.MaxValue);
        using var reader = Sep.New(',').Reader(o => o with { HasHeader = false, DisableColCountCheck = true }).From(stream);
        int rows = 0;
        foreach (var row in reader)
            if (!(row.ColCount == 1 && row[0].Span.IsWhiteSpace())) rows++;
        return hasHeader ? Math.Max(0, rows - 1) : rows;
    }

    private static string Column(string[]? header, int c) => header is null ? $"column {c}" : $"column '{Clip(header[c])}'";

    /// <summary>A cell as errors quote it: at most 80 characters, line breaks (a quoted cell may hold them) as spaces.</summary>
    private static string Clip(string text)
    {
        var clipped = text.Length <= 80 ? text : text[..80] + $"... ({text.Length} characters)";
        return string.Create(clipped.Length, clipped, (span, source) =>
        {
            for (int i = 0; i < span.Length; i++) span[i] = char.IsControl(source[i]) ? ' ' : source[i];
        });
    }

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
