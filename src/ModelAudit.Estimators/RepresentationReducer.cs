using System.Numerics.Tensors;

namespace ModelAudit.Estimators;

/// <summary>Applies a <see cref="Reduction"/> to a representation and records which one was used.</summary>
public static class RepresentationReducer
{
    /// <summary>Reduces <paramref name="x"/> with <paramref name="reduction"/>.</summary>
    public static ReducedSamples Apply(SampleMatrix x, Reduction reduction)
    {
        ArgumentNullException.ThrowIfNull(x);
        var reduced = reduction switch
        {
            Reduction.None => x,
            Reduction.ChannelMean channelMean => ChannelMeans(x, channelMean.Channels),
            Reduction.RandomProjection projection => Project(x, projection.Dimensions, projection.Seed),
            _ => throw new ArgumentException($"Unknown reduction {reduction}.", nameof(reduction)),
        };
        return new ReducedSamples(reduced, reduction, x.Cols);
    }

    private static SampleMatrix ChannelMeans(SampleMatrix x, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        if (x.Cols % channels != 0)
        {
            throw new ArgumentException($"{x.Cols} columns are not {channels} equal channels.", nameof(channels));
        }

        var spatial = x.Cols / channels;
        var means = new float[x.Rows * channels];
        for (var i = 0; i < x.Rows; i++)
        {
            var row = x.Row(i);
            for (var c = 0; c < channels; c++)
            {
                var sum = 0.0;
                foreach (var value in row.Slice(c * spatial, spatial))
                {
                    sum += value;
                }

                means[i * channels + c] = (float)(sum / spatial);
            }
        }

        return new SampleMatrix(means, x.Rows, channels);
    }

    private static SampleMatrix Project(SampleMatrix x, int dimensions, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        var matrix = ProjectionMatrix(x.Cols, dimensions, seed);
        var projected = new float[x.Rows * dimensions];
        Parallel.For(0, x.Rows, i =>
        {
            var row = x.Row(i);
            var target = projected.AsSpan(i * dimensions, dimensions);
            for (var c = 0; c < row.Length; c++)
            {
                TensorPrimitives.MultiplyAdd(matrix.AsSpan(c * dimensions, dimensions), row[c], target, target);
            }
        });
        return new SampleMatrix(projected, x.Rows, dimensions);
    }

    /// <summary>The d x K projection matrix, row-major, entries N(0, 1) / sqrt(K).</summary>
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
}
