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
        // must end it promptly after the cancel. One resample takes about 10 ms on an idle core; the bound is 2 s because
        // CI runs the test projects side by side on 2 cores. A warm-up call first, so JIT time is not counted.
        var x = Random(300, 4, 1);
        var labels = Enumerable.Range(0, 300).Select(i => i % 3).ToArray();
        LayerRepresentation[] layer = [new("t", x, null, "none")];
        new InformationPlane(new RenyiEstimator(), new InformationPlaneOptions(BootstrapResamples: 2, NullShuffles: 2)).Compute(x, labels, layer);
        var plane = new InformationPlane(new RenyiEstimator(), new InformationPlaneOptions(BootstrapResamples: 100_000, NullShuffles: 10));
        using var cancellation = new CancellationTokenSource();
        long cancelledAt = 0;
        // A dedicated thread cancels, as the CLI's signal handler does: a timer (CancelAfter) needs a thread-pool thread,
        // which the eigen solver's back-to-back parallel loops can keep from running for a long time.
        var canceller = new Thread(() =>
        {
            Thread.Sleep(300);
            cancelledAt = Stopwatch.GetTimestamp();
            cancellation.Cancel();
        });
        canceller.Start();
        Assert.ThrowsAny<OperationCanceledException>(() => plane.Compute(x, labels, layer, cancellation.Token));
        canceller.Join();
        var afterCancel = Stopwatch.GetElapsedTime(cancelledAt);
        Assert.True(afterCancel.TotalSeconds < 2, $"stopped {afterCancel.TotalSeconds:F2} s after the cancel");
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
