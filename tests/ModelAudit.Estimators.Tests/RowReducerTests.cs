using System.Numerics.Tensors;

namespace ModelAudit.Estimators.Tests;

public sealed class RowReducerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void Reduce_ChannelMeanInChunks_IsBitIdenticalToTheWholeMatrix(int chunk)
    {
        var x = Random(17, 4 * 9, seed: 2);
        var whole = RepresentationReducer.Apply(x, new Reduction.ChannelMean(4)).Samples.Data;
        Assert.Equal(whole, InChunks(new RowReducer(new Reduction.ChannelMean(4), 36), x, chunk));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Reduce_CachedProjectionInChunks_IsBitIdenticalToTheWholeMatrix(int chunk)
    {
        var x = Random(11, 50, seed: 3);
        var whole = RepresentationReducer.Apply(x, new Reduction.RandomProjection(16, Seed: 9)).Samples.Data;
        Assert.Equal(whole, InChunks(new RowReducer(new Reduction.RandomProjection(16, Seed: 9), 50), x, chunk));
    }

    [Fact]
    public void Reduce_ProjectionTooLargeToKeep_DrawsTheSameMatrixRowByRowBitForBit()
    {
        // 70,000 x 64 entries are above the 4 Mi entries kept, so the reducer draws R again per chunk; the result must be
        // the same float operations as y_i = sum over c ascending of x_ic R_c with the kept matrix.
        const int d = 70_000, k = 64, rows = 3;
        var x = Random(rows, d, seed: 5);
        var reducer = new RowReducer(new Reduction.RandomProjection(k, Seed: 4), d);
        var actual = InChunks(reducer, x, 2);
        var matrix = RowReducer.ProjectionMatrix(d, k, 4);
        var expected = new float[rows * k];
        for (var i = 0; i < rows; i++)
        {
            var target = expected.AsSpan(i * k, k);
            for (var c = 0; c < d; c++)
            {
                TensorPrimitives.MultiplyAdd(matrix.AsSpan(c * k, k), x.Data[i * d + c], target, target);
            }
        }

        Assert.Equal(expected, actual);
    }

    private static float[] InChunks(RowReducer reducer, SampleMatrix x, int chunk)
    {
        var result = new float[x.Rows * reducer.OutputColumns];
        for (var first = 0; first < x.Rows; first += chunk)
        {
            var count = Math.Min(chunk, x.Rows - first);
            reducer.Reduce(x.Data.AsSpan(first * x.Cols, count * x.Cols), count, result.AsSpan(first * reducer.OutputColumns, count * reducer.OutputColumns));
        }

        return result;
    }

    private static SampleMatrix Random(int rows, int cols, int seed)
    {
        var random = new Random(seed);
        var data = new float[rows * cols];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return new SampleMatrix(data, rows, cols);
    }
}
