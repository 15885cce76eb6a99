using System.Diagnostics;

namespace ModelAudit.Benchmarks;

/// <summary>Median wall time of repeated runs after warm-up (robust to other processes on a shared machine).</summary>
public static class Timing
{
    /// <summary>
    /// Runs <paramref name="action"/> twice to warm up (JIT tiers, pools, caches), then times it repeatedly
    /// (at least <paramref name="minRepetitions"/> times, and until about <paramref name="budgetSeconds"/>)
    /// and returns the median in seconds.
    /// </summary>
    public static double MedianSeconds(Action action, int minRepetitions = 7, double budgetSeconds = 1.5)
    {
        action();
        action();
        var samples = new List<double>();
        var total = Stopwatch.StartNew();
        while (samples.Count < minRepetitions || (total.Elapsed.TotalSeconds < budgetSeconds && samples.Count < 200))
        {
            long start = Stopwatch.GetTimestamp();
            action();
            samples.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        samples.Sort();
        return samples[samples.Count / 2];
    }
}
