using System.Diagnostics;
using System.Globalization;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Benchmarks;

/// <summary>
/// The forward as <see cref="GraphExecutor"/> really runs it (fusions, buffer reuse), split per step: a node, or a
/// convolution with the Add/activation nodes fused into it, whose category names what was fused ("+ HardSwish"). The
/// per-node table above times every node unfused and keeps every value, so it over-weights what the executor fuses.
/// </summary>
public sealed partial class ProfileSuite
{
    /// <summary>Median wall and calling-thread CPU seconds per step category of the executor's forward, with step counts.</summary>
    private static void WriteExecutorSteps(ComputeGraph graph, Tensor input, TextWriter output)
    {
        var executor = new GraphExecutor(graph);
        var inputs = new Dictionary<int, Tensor> { [graph.Inputs[0]] = input };
        var perRun = new List<Dictionary<string, (double Wall, double Cpu, int Count)>>();
        for (int run = 0; run <= Runs; run++)
        {
            var observer = new StepTimer(graph);
            using (executor.Forward(inputs, new ForwardOptions { StepObserver = observer })) { }
            if (run > 0) perRun.Add(observer.ByCategory); // run 0 warms up
        }
        var categories = perRun[0].Keys.ToList();
        var rows = categories.Select(c => (Category: c, Wall: Median([.. perRun.Select(r => r[c].Wall)]), Cpu: Median([.. perRun.Select(r => r[c].Cpu)]), perRun[0][c].Count))
            .OrderByDescending(r => r.Cpu).ToList();
        double totalCpu = rows.Sum(r => r.Cpu);
        output.WriteLine($"  the executor's steps: {rows.Sum(r => r.Wall) * 1e3:F1} ms wall, {totalCpu * 1e3:F1} ms calling-thread CPU (sums of step medians)");
        var table = new ResultTable("executor step", "steps", "wall ms", "thread CPU ms", "CPU share");
        foreach (var (category, wall, cpu, count) in rows)
            table.Add(category, count.ToString(CultureInfo.InvariantCulture), (wall * 1e3).ToString("F2", CultureInfo.InvariantCulture),
                (cpu * 1e3).ToString("F2", CultureInfo.InvariantCulture), (cpu / totalCpu).ToString("P1", CultureInfo.InvariantCulture));
        table.Write(output);
    }

    /// <summary>Times each step of one pass and sums them per category.</summary>
    private sealed class StepTimer(ComputeGraph graph) : IForwardStepObserver
    {
        private long _start;
        private double _cpuStart;

        public Dictionary<string, (double Wall, double Cpu, int Count)> ByCategory { get; } = [];

        public void Starting()
        {
            _cpuStart = ThreadCpuSeconds();
            _start = Stopwatch.GetTimestamp();
        }

        public void Finished(GraphNode node, ConvolutionFusion? fusion)
        {
            double wall = Stopwatch.GetElapsedTime(_start).TotalSeconds, cpu = ThreadCpuSeconds() - _cpuStart;
            string category = Category(graph, node) + (fusion is null ? "" : FusedSuffix(fusion));
            var (w, c, n) = ByCategory.GetValueOrDefault(category);
            ByCategory[category] = (w + wall, c + cpu, n + 1);
        }

        private static string FusedSuffix(ConvolutionFusion fusion)
            => (fusion.Residual >= 0 ? " + Add" : "") + fusion.Activation.Kind switch
            {
                FusedActivationKind.Relu => " + Relu",
                FusedActivationKind.HardSigmoid => " + HardSigmoid",
                FusedActivationKind.GatedHardSigmoid => " + HardSwish",
                _ => "",
            };
    }
}
