namespace ModelAudit.Estimators;

/// <summary>
/// Samples as a row-major matrix: <see cref="Rows"/> samples, each a vector of <see cref="Cols"/> features.
/// </summary>
public sealed record SampleMatrix
{
    /// <summary>Wraps <paramref name="data"/> (not copied) as a <paramref name="rows"/> x <paramref name="cols"/> matrix.</summary>
    /// <exception cref="ArgumentException">The data length is not rows * cols or a dimension is not positive.</exception>
    public SampleMatrix(float[] data, int rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        if ((long)rows * cols != data.Length)
        {
            throw new ArgumentException($"Data has {data.Length} values, expected {rows} x {cols}.", nameof(data));
        }

        Data = data;
        Rows = rows;
        Cols = cols;
    }

    /// <summary>Row-major values, sample after sample.</summary>
    public float[] Data { get; }

    /// <summary>Number of samples.</summary>
    public int Rows { get; }

    /// <summary>Number of features per sample.</summary>
    public int Cols { get; }

    /// <summary>The features of sample <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> Row(int row) => Data.AsSpan(row * Cols, Cols);

    /// <summary>A one-column matrix holding the labels as values.</summary>
    public static SampleMatrix FromLabels(int[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var data = new float[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            data[i] = labels[i];
        }

        return new SampleMatrix(data, labels.Length, 1);
    }

    /// <summary>A new matrix made of the given rows in the given order (rows may repeat, as in a bootstrap resample).</summary>
    public SampleMatrix SelectRows(ReadOnlySpan<int> rows)
    {
        var data = new float[rows.Length * Cols];
        for (var i = 0; i < rows.Length; i++)
        {
            Row(rows[i]).CopyTo(data.AsSpan(i * Cols, Cols));
        }

        return new SampleMatrix(data, rows.Length, Cols);
    }

    /// <summary>The matrix [A | B] whose rows are the rows of <paramref name="a"/> followed by those of <paramref name="b"/>.</summary>
    internal static SampleMatrix ConcatColumns(SampleMatrix a, SampleMatrix b)
    {
        RequireSameRows(a, b.Rows);
        var cols = a.Cols + b.Cols;
        var data = new float[a.Rows * cols];
        for (var i = 0; i < a.Rows; i++)
        {
            a.Row(i).CopyTo(data.AsSpan(i * cols, a.Cols));
            b.Row(i).CopyTo(data.AsSpan(i * cols + a.Cols, b.Cols));
        }

        return new SampleMatrix(data, a.Rows, cols);
    }

    /// <summary>Throws unless <paramref name="matrix"/> has <paramref name="rows"/> rows.</summary>
    internal static void RequireSameRows(SampleMatrix matrix, int rows)
    {
        if (matrix.Rows != rows)
        {
            throw new ArgumentException($"Sample counts differ: {matrix.Rows} vs {rows}.");
        }
    }
}
