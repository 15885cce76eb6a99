using System.Numerics.Tensors;

namespace ModelAudit.Estimators;

/// <summary>
/// Applies a <see cref="Reduction"/> to samples a chunk at a time, so a layer's full maps never have to be
/// held for every sample: each chunk's rows are reduced as they are computed. A row's result depends only on
/// that row, so any chunking gives the same values, bit for bit, as reducing the whole matrix at once.
/// </summary>
public sealed class RowReducer
{
    // A projection matrix up to this many entries (16 MiB) is drawn once and kept; a larger one is drawn
    // again, row by row, for every chunk, so memory stays at one row of it.
    private const long CachedProjectionEntries = 4L << 20;

    private readonly float[]? _projection;

    /// <summary>A reducer of rows of <paramref name="inputColumns"/> values.</summary>
    /// <exception cref="ArgumentException">The reduction does not fit the row width.</exception>
    public RowReducer(Reduction reduction, int inputColumns)
    {
        ArgumentNullException.ThrowIfNull(reduction);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputColumns);
        Reduction = reduction;
        InputColumns = inputColumns;
        OutputColumns = reduction switch
        {
            Reduction.None => inputColumns,
            Reduction.ChannelMean mean when mean.Channels > 0 && inputColumns % mean.Channels == 0 => mean.Channels,
            Reduction.ChannelMean mean => throw new ArgumentException($"{inputColumns} columns are not {mean.Channels} equal channels.", nameof(reduction)),
            Reduction.RandomProjection p when p.Dimensions > 0 => p.Dimensions,
            _ => throw new ArgumentException($"Invalid reduction {reduction}.", nameof(reduction)),
        };
        if (reduction is Reduction.RandomProjection projection && (long)inputColumns * projection.Dimensions <= CachedProjectionEntries)
        {
            _projection = ProjectionMatrix(inputColumns, projection.Dimensions, projection.Seed);
        }
    }

    /// <summary>The reduction applied.</summary>
    public Reduction Reduction { get; }

    /// <summary>Values per input row.</summary>
    public int InputColumns { get; }

    /// <summary>Values per reduced row.</summary>
    public int OutputColumns { get; }

    /// <summary>The d x K projection matrix, row-major, entries N(0, 1) / sqrt(K) drawn row by row.</summary>
    internal static float[] ProjectionMatrix(int inputDimensions, int dimensions, int seed)
    {
        var noise = new SeededGaussian(seed);
        var scale = 1.0 / Math.Sqrt(dimensions);
        var matrix = new float[inputDimensions * dimensions];
        for (var i = 0; i < matrix.Length; i++)
        {
            matrix[i] = (float)(noise.Next() * scale);
        }

        return matrix;
    }

    /// <summary>Reduces <paramref name="count"/> consecutive rows of <paramref name="rows"/> into <paramref name="destination"/>.</summary>
    public void Reduce(ReadOnlySpan<float> rows, int count, Span<float> destination)
    {
        if (rows.Length < (long)count * InputColumns || destination.Length < (long)count * OutputColumns)
        {
            throw new ArgumentException($"Expected {count} rows of {InputColumns} values into {count} x {OutputColumns}.", nameof(rows));
        }

        switch (Reduction)
        {
            case Reduction.None:
                rows[..(count * InputColumns)].CopyTo(destination);
                break;
            case Reduction.ChannelMean:
                ChannelMeans(rows, count, destination);
                break;
            case Reduction.RandomProjection projection:
                Project(rows, count, destination, projection);
                break;
        }
    }

    private void ChannelMeans(ReadOnlySpan<float> rows, int count, Span<float> destination)
    {
        var channels = OutputColumns;
        var spatial = InputColumns / channels;
        for (var i = 0; i < count; i++)
        {
            var row = rows.Slice(i * InputColumns, InputColumns);
            for (var c = 0; c < channels; c++)
            {
                var sum = 0.0;
                foreach (var value in row.Slice(c * spatial, spatial))
                {
                    sum += value;
                }

                destination[i * channels + c] = (float)(sum / spatial);
            }
        }
    }

    /// <summary>
    /// y_i = sum over c ascending of x_ic R_c, with R_c row c of the projection matrix: the same operations in the
    /// same order whether R is kept or drawn again row by row.
    /// </summary>
    private void Project(ReadOnlySpan<float> rows, int count, Span<float> destination, Reduction.RandomProjection projection)
    {
        var k = OutputColumns;
        var d = InputColumns;
        destination[..(count * k)].Clear();
        if (_projection is { } matrix)
        {
            for (var i = 0; i < count; i++)
            {
                var row = rows.Slice(i * d, d);
                var target = destination.Slice(i * k, k);
                for (var c = 0; c < d; c++)
                {
                    TensorPrimitives.MultiplyAdd(matrix.AsSpan(c * k, k), row[c], target, target);
                }
            }

            return;
        }

        var noise = new SeededGaussian(projection.Seed);
        var scale = 1.0 / Math.Sqrt(k);
        Span<float> line = k <= 1024 ? stackalloc float[k] : new float[k];
        for (var c = 0; c < d; c++)
        {
            for (var j = 0; j < k; j++)
            {
                line[j] = (float)(noise.Next() * scale);
            }

            for (var i = 0; i < count; i++)
            {
                var target = destination.Slice(i * k, k);
                TensorPrimitives.MultiplyAdd(line, rows[i * d + c], target, target);
            }
        }
    }
}
