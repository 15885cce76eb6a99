namespace ModelAudit.Estimators.Tests;

public sealed class SquaredDistancesTests
{
    [Fact]
    public void Compute_Random150x37_MatchesDirectDoubleSum()
    {
        const int n = 150;
        const int d = 37;
        var random = new Random(2);
        var data = new float[n * d];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)(random.NextDouble() * 4 + 10);
        }

        var expected = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                for (var c = 0; c < d; c++)
                {
                    var difference = (double)data[i * d + c] - data[j * d + c];
                    expected[i * n + j] += difference * difference;
                }
            }
        }

        // Float Gram products on centred data: about 1e-6 of the largest distance.
        Precision.AssertClose(expected, SquaredDistances.Compute(new SampleMatrix(data, n, d)), relTol: 1e-5);
    }

    [Fact]
    public void Compute_DuplicateRows_GivesExactZero()
    {
        var x = new SampleMatrix([0.3f, 7f, 0.3f, 7f, 1f, 1f], 3, 2);
        var distances = SquaredDistances.Compute(x);
        Assert.Equal(0.0, distances[0 * 3 + 1]);
        Assert.Equal(0.0, distances[1 * 3 + 1]);
    }
}
