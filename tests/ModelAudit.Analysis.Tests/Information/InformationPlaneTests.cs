using System.Diagnostics;
using ModelAudit.Analysis.Information;
using ModelAudit.Estimators;

namespace ModelAudit.Analysis.Tests.Information;

public sealed class InformationPlaneTests
{
    private static SampleMatrix Random(int rows, int cols, int seed)
    {
        var random = new Random(seed);
        var data = new float[rows * cols];
        for (int i = 0; i < data.Length; i++) data[i] = (float)random.NextDouble();
        return new SampleMatrix(data, rows, cols);
    }

    [Fact]
    public void Compute_CancelledDuringTheBootstrap_StopsWithinASecond()
    {
        // 100,000 bootstrap resamples of a 300-sample Renyi estimate would take hours; the check between resamples
        // must end it within a second of the cancel (measured: well under 0.1 s).
        var x = Random(300, 4, 1);
        var labels = Enumerable.Range(0, 300).Select(i => i % 3).ToArray();
        var plane = new InformationPlane(new RenyiEstimator(), new InformationPlaneOptions(BootstrapResamples: 100_000, NullShuffles: 10));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => plane.Compute(x, labels, [new LayerRepresentation("t", x, null, "none")], cancellation.Token));
        Assert.True(watch.Elapsed.TotalSeconds < 1.3, $"stopped after {watch.Elapsed.TotalSeconds:F2} s");
    }

    [Fact]
    public void Shuffles_SameSeed_SamePermutationsOfTheSameLabels()
    {
        int[] labels = [0, 0, 1, 1, 2, 2, 3, 3];
        var first = InformationPlane.Shuffles(labels, 3, seed: 5);
        var second = InformationPlane.Shuffles(labels, 3, seed: 5);
        Assert.Equal(first, second);
        Assert.All(first, s => Assert.Equal(labels.Order(), s.Order()));
        Assert.NotEqual(first[0], first[1]);
    }
}
