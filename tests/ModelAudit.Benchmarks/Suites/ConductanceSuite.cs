using System.Diagnostics;
using ModelAudit.Analysis.Attribution;
using ModelAudit.Tensors;

namespace ModelAudit.Benchmarks;

/// <summary>
/// Layer conductance of every Relu/Add layer of resnet18 at 64x64, 50 steps, 16 samples: one sweep for all
/// layers beside the same computation one layer at a time (what Captum's LayerConductance costs), in the
/// same process, the sweep warmed up once first. MODEL_AUDIT_CONDUCTANCE_SWEEP=SAMPLES,STEPS,CHUNK instead times only the all-layer sweep at that size
/// (CHUNK 0: all rows in one pass, as the CLI's default), median of 3 after a warm-up, with the process's CPU time: the
/// issue's figure was 8 samples, 16 steps, one pass.
/// </summary>
public sealed class ConductanceSuite : IBenchmarkSuite
{
    public string Name => "conductance";

    public void Run(TextWriter output)
    {
        if (Environment.GetEnvironmentVariable("MODEL_AUDIT_CONDUCTANCE_SWEEP") is { Length: > 0 } sweep)
        {
            SweepOnly(output, [.. sweep.Split(',').Select(int.Parse)]);
            return;
        }
        const int samples = 16;
        var model = new ResNet18(64, classes: 10);
        model.GetPlan(1);
        var layers = model.AuditLayers;
        using var input = Tensor.FromArray(GemmSuite.Random(samples * 3 * 64 * 64, 5), samples, 3, 64, 64);
        var targets = Enumerable.Range(0, samples).Select(i => (long)(i % 10)).ToArray();
        var conductance = new LayerConductance(model, new PathIntegralOptions(Steps: 50, InternalBatchSize: 256));

        using var process = Process.GetCurrentProcess();
        // One untimed sweep first: timed cold, the sweep paid the process's JIT compilation and first allocations that the
        // one-layer runs after it did not (5.0 s cold against 2.3-2.5 s warm, on 2026-12-02).
        conductance.Compute(input, targets, [0f], layers);
        var watch = Stopwatch.StartNew();
        var together = conductance.Compute(input, targets, [0f], layers);
        double all = watch.Elapsed.TotalSeconds;
        process.Refresh();
        long peakAll = process.PeakWorkingSet64;

        watch.Restart();
        double maxDifference = 0;
        foreach (var layer in layers)
        {
            var alone = conductance.Compute(input, targets, [0f], [layer]);
            var x = alone.Layers[layer].Values.Span;
            var y = together.Layers[layer].Values.Span;
            for (int i = 0; i < x.Length; i++) maxDifference = Math.Max(maxDifference, Math.Abs(x[i] - y[i]));
        }
        double each = watch.Elapsed.TotalSeconds;
        process.Refresh();

        output.WriteLine($"resnet18 64x64, {samples} samples, 50 steps (51 points), {layers.Count} Relu/Add layers, internal batch 256");
        var table = new ResultTable("run", "seconds", "speed-up", "peak working set MiB");
        table.Add("all layers, one sweep", $"{all:F1}", "1.00", $"{peakAll / 1048576.0:F0}");
        table.Add("one layer at a time", $"{each:F1}", $"{each / all:F2}", $"{process.PeakWorkingSet64 / 1048576.0:F0}");
        table.Write(output);
        output.WriteLine($"max |difference| between the two runs: {maxDifference:G3}");
        output.WriteLine($"max |convergence delta| over layers: {together.Layers.Values.Max(l => l.MaxAbsDelta):G3}");
    }

    private static void SweepOnly(TextWriter output, int[] settings)
    {
        int samples = settings[0], steps = settings[1], chunk = settings[2];
        var model = new ResNet18(64, classes: 10);
        model.GetPlan(1);
        using var input = Tensor.FromArray(GemmSuite.Random(samples * 3 * 64 * 64, 5), samples, 3, 64, 64);
        var targets = Enumerable.Range(0, samples).Select(i => (long)(i % 10)).ToArray();
        var conductance = new LayerConductance(model, new PathIntegralOptions(Steps: steps, InternalBatchSize: chunk));
        using var process = Process.GetCurrentProcess();
        var wall = new List<double>();
        var cpu = new List<double>();
        for (int run = 0; run <= 3; run++)
        {
            process.Refresh();
            var cpuStart = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            conductance.Compute(input, targets, [0f], model.AuditLayers);
            process.Refresh();
            if (run == 0) continue;
            wall.Add(watch.Elapsed.TotalSeconds);
            cpu.Add((process.TotalProcessorTime - cpuStart).TotalSeconds);
        }
        wall.Sort();
        cpu.Sort();
        output.WriteLine($"resnet18 64x64, {samples} samples, {steps} steps, {model.AuditLayers.Count} layers, internal batch {chunk}: " +
            $"median {wall[1]:F2} s wall, {cpu[1]:F2} s process CPU; load average {PeerModels.LoadAverage()}");
    }
}
