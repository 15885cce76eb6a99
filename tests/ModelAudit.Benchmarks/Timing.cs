using System.Diagnostics;

namespace ModelAudit.Benchmarks;

/// <summary>One measurement: median wall time per run and process CPU time per run.</summary>
/// <param name="MedianSeconds">Median wall-clock seconds of one run.</param>
/// <param name="CpuSecondsPerRun">Process CPU seconds (all threads) per run, averaged over the timed runs.</param>
public readonly record struct Measurement(double MedianSeconds, double CpuSecondsPerRun);

/// <summary>Median wall time of repeated runs after warm-up (robust to other processes on a shared machine).</summary>
public static class Timing
{
    /// <summary>Warm-up calls of each side before timing: at least this many...</summary>
    private const int MinWarmUpCalls = 3;

    /// <summary>...and, up to <see cref="MaxWarmUpCalls"/>, until this many seconds have passed.</summary>
    private const double WarmUpSeconds = 1.0;

    /// <inheritdoc cref="WarmUpSeconds"/>
    private const int MaxWarmUpCalls = 50;

    /// <summary>
    /// Calls <paramref name="run"/> until the JIT's tiered compilation has settled: methods start as unoptimised
    /// tier-0 code, loops move to optimised code by on-stack replacement, and methods are recompiled optimised in the
    /// background after 30 calls and a 100 ms pause. A single warm-up call left the first timed runs in tier-0 code
    /// (mobilenet_v3's one-thread ratio read 0.55-0.59, 0.76-0.80 with loops compiled optimised from the start), so
    /// both sides get at least <see cref="MinWarmUpCalls"/> calls and <see cref="WarmUpSeconds"/>: the timed runs then
    /// compare steady states, which is what an audit's hundreds of passes run in.
    /// </summary>
    public static void WarmUp(Action run)
    {
        long start = Stopwatch.GetTimestamp();
        for (int calls = 0; calls < MinWarmUpCalls || (calls < MaxWarmUpCalls && Stopwatch.GetElapsedTime(start).TotalSeconds < WarmUpSeconds); calls++) run();
    }

    /// <summary>
    /// Warms <paramref name="action"/> up (<see cref="WarmUp"/>: JIT tiers, pools, caches), then times it repeatedly
    /// (at least <paramref name="minRepetitions"/> times, and until about <paramref name="budgetSeconds"/>).
    /// CPU time per run is reported too: on a loaded machine, work / CPU-second still shows per-core efficiency.
    /// </summary>
    public static Measurement Measure(Action action, int minRepetitions = 7, double budgetSeconds = 1.5)
    {
        WarmUp(action);
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
