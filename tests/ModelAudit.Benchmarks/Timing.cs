using System.Diagnostics;

namespace ModelAudit.Benchmarks;

/// <summary>One measurement: median wall time per run and process CPU time per run.</summary>
/// <param name="MedianSeconds">Median wall-clock seconds of one run.</param>
/// <param name="CpuSecondsPerRun">Process CPU seconds (all threads) per run, averaged over the timed runs.</param>
public readonly record struct Measurement(double MedianSeconds, double CpuSecondsPerRun);

/// <summary>Median wall time of repeated runs after warm-up (robust to other processes on a shared machine).</summary>
public static class Timing
{
    /// <summary>
    /// Runs <paramref name="action"/> twice to warm up (JIT tiers, pools, caches), then times it repeatedly
    /// (at least <paramref name="minRepetitions"/> times, and until about <paramref name="budgetSeconds"/>).
    /// CPU time per run is reported too: on a loaded machine, work / CPU-second still shows per-core efficiency.
    /// </summary>
    public static Measurement Measure(Action action, int minRepetitions = 7, double budgetSeconds = 1.5)
    {
        action();
        action();
        var samples = new List<double>();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        TimeSpan cpuStart = process.TotalProcessorTime;
        var total = Stopwatch.StartNew();
        while (samples.Count < minRepetitions || (total.Elapsed.TotalSeconds < budgetSeconds && samples.Count < 200))
        {
            long start = Stopwatch.GetTimestamp();
            action();
            samples.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpuStart).TotalSeconds / samples.Count;
        samples.Sort();
        return new Measurement(samples[samples.Count / 2], cpu);
    }

    /// <summary>Median wall-clock seconds of one run (see <see cref="Measure"/>).</summary>
    public static double MedianSeconds(Action action, int minRepetitions = 7, double budgetSeconds = 1.5)
        => Measure(action, minRepetitions, budgetSeconds).MedianSeconds;
}
