namespace ModelAudit.Estimators.Tests;

public sealed class RepresentationReducerTests
{
    [Fact]
    public void Apply_ChannelMean_AveragesEachChannelsSpatialValues()
    {
        // N = 2, C = 2, H = W = 2, channel-major rows.
        var x = new SampleMatrix([1f, 2f, 3f, 4f, 10f, 20f, 30f, 40f, -1f, -1f, -1f, 3f, 0f, 0f, 0f, 8f], 2, 8);
        var reduced = RepresentationReducer.Apply(x, new Reduction.ChannelMean(2));
        Assert.Equal([2.5f, 25f, 0f, 2f], reduced.Samples.Data);
        Assert.Equal(new Reduction.ChannelMean(2), reduced.Applied);
        Assert.Equal(8, reduced.OriginalColumns);
    }

    [Fact]
    public void Apply_None_ReturnsTheSameSamples()
    {
        var x = new SampleMatrix([1f, 2f], 1, 2);
        Assert.Same(x, RepresentationReducer.Apply(x, new Reduction.None()).Samples);
    }

    [Fact]
    public void Apply_RandomProjectionSameSeed_IsBitIdenticalAndEqualsProductWithItsMatrix()
    {
        var x = RandomRows(20, 50, seed: 4);
        var first = RepresentationReducer.Apply(x, new Reduction.RandomProjection(16, Seed: 11)).Samples;
        var second = RepresentationReducer.Apply(x, new Reduction.RandomProjection(16, Seed: 11)).Samples;
        var otherSeed = RepresentationReducer.Apply(x, new Reduction.RandomProjection(16, Seed: 12)).Samples;
        Assert.Equal(first.Data, second.Data);
        Assert.NotEqual(first.Data, otherSeed.Data);

        var matrix = RowReducer.ProjectionMatrix(50, 16, seed: 11);
        var expected = new double[20 * 16];
        for (var i = 0; i < 20; i++)
        {
            for (var k = 0; k < 16; k++)
            {
                for (var c = 0; c < 50; c++)
                {
                    expected[i * 16 + k] += (double)x.Data[i * 50 + c] * matrix[c * 16 + k];
                }
            }
        }

        Precision.AssertClose(expected, [.. first.Data.Select(v => (double)v)], relTol: 1e-5);
    }

    [Fact]
    public void Apply_RandomProjection_PreservesSquaredNormOnAverage()
    {
        // Mean over 300 rows of ||xR||^2 / ||x||^2 for d = 64, K = 256, seed 1. Its spread is about
        // sqrt(2 / (d K)) = 0.011 around 1, so [0.95, 1.05] is a 4-sigma bound for this fixed seed.
        var x = RandomRows(300, 64, seed: 8);
        var y = RepresentationReducer.Apply(x, new Reduction.RandomProjection(256, Seed: 1)).Samples;
        var ratio = Enumerable.Range(0, 300).Average(i => SquaredNorm(y.Row(i)) / SquaredNorm(x.Row(i)));
        Assert.InRange(ratio, 0.95, 1.05);
    }

    private static double SquaredNorm(ReadOnlySpan<float> row)
    {
        var sum = 0.0;
        foreach (var v in row)
        {
            sum += (double)v * v;
        }

        return sum;
    }

    private static SampleMatrix RandomRows(int rows, int cols, int seed)
    {
        var random = new Random(seed);
        return new SampleMatrix([.. Enumerable.Range(0, rows * cols).Select(_ => (float)(random.NextDouble() * 2 - 1))], rows, cols);
    }
}
