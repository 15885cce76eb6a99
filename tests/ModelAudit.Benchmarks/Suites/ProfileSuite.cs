using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Benchmarks;

/// <summary>
/// Where our forward time goes on the peer models (MODEL_AUDIT_PEER_MODELS, default all three; 224x224, batch 8): every node's
/// forward is timed on its own (median of 3 runs of the whole graph) and summed per operation kind, convolutions
/// split by kernel, stride, groups and output map. Not a comparison with a peer: it says what to optimise next.
/// Threads: MODEL_AUDIT_BENCH_THREADS (default all cores). Besides wall time, the calling thread's CPU time
/// (CLOCK_THREAD_CPUTIME_ID): at one thread that is the work itself, steady even on a loaded machine.
/// Then the executor's own forward split per (fused) step (ProfileSuite.Executor.cs): what really runs. The backward part (ProfileSuite.Backward.cs) splits the reverse pass the same way. MODEL_AUDIT_PROFILE_PARTS picks
/// parts: comma-separated of forward, backward (default both).
/// </summary>
public sealed partial class ProfileSuite : IBenchmarkSuite
{
    private const int Runs = 3;

    public string Name => "profile";

    public void Run(TextWriter output)
    {
        if (!PeerModels.Available(output)) return;
        var parts = (Environment.GetEnvironmentVariable("MODEL_AUDIT_PROFILE_PARTS") ?? "forward,backward").Split(',');
        if (parts.Contains("forward")) RunForward(output);
        if (parts.Contains("backward")) RunBackward(output);
    }

    private void RunForward(TextWriter output)
    {
        var images = PeerModels.Images(PeerModels.Batch, PeerModels.Size);
        foreach (string name in PeerModels.Selected)
        {
            var graph = OnnxModel.Load(PeerModels.ModelPath(name)).BuildGraph(PeerModels.Batch);
            using var input = Tensor.FromArray(images, PeerModels.Batch, 3, PeerModels.Size, PeerModels.Size);
            var perNode = new List<double>[graph.Nodes.Count];
            var perNodeCpu = new List<double>[graph.Nodes.Count];
            for (int i = 0; i < perNode.Length; i++)
            {
                perNode[i] = [];
                perNodeCpu[i] = [];
            }
            double total = 0, totalCpu = 0;
            for (int run = 0; run <= Runs; run++)
            {
                var (times, cpu) = TimeNodes(graph, input);
                if (run == 0) continue; // warm-up
                for (int i = 0; i < times.Length; i++)
                {
                    perNode[i].Add(times[i]);
                    perNodeCpu[i].Add(cpu[i]);
                }
            }
            var byCategory = new Dictionary<string, (double Seconds, double Cpu, int Count)>();
            for (int i = 0; i < perNode.Length; i++)
            {
                double median = Median(perNode[i]), medianCpu = Median(perNodeCpu[i]);
                total += median;
                totalCpu += medianCpu;
                string category = Category(graph, graph.Nodes[i]);
                var (s, c, n) = byCategory.GetValueOrDefault(category);
                byCategory[category] = (s + median, c + medianCpu, n + 1);
            }
            output.WriteLine($"{name}: {total * 1e3:F1} ms wall, {totalCpu * 1e3:F1} ms calling-thread CPU per batch of {PeerModels.Batch} (sums of node medians), load average {PeerModels.LoadAverage()}");
            var (executorWall, executorCpu, fused) = TimeExecutor(graph, input);
            output.WriteLine($"  the executor's forward (convolutions fused with their Add/activation nodes: {fused}): {executorWall * 1e3:F1} ms wall, {executorCpu * 1e3:F1} ms calling-thread CPU (medians)");
            var table = new ResultTable("category", "nodes", "wall ms", "thread CPU ms", "CPU share");
            foreach (var (category, (seconds, cpu, count)) in byCategory.OrderByDescending(p => p.Value.Cpu))
                table.Add(category, count.ToString(CultureInfo.InvariantCulture), (seconds * 1e3).ToString("F2", CultureInfo.InvariantCulture),
                    (cpu * 1e3).ToString("F2", CultureInfo.InvariantCulture), (cpu / totalCpu).ToString("P1", CultureInfo.InvariantCulture));
            table.Write(output);
            WriteExecutorSteps(graph, input, output);
            output.WriteLine();
        }
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    /// <summary>The whole forward as <see cref="GraphExecutor"/> runs it (fusions, buffer reuse): median wall and calling-thread CPU seconds.</summary>
    private static (double Wall, double Cpu, int Fused) TimeExecutor(ComputeGraph graph, Tensor input)
    {
        var executor = new GraphExecutor(graph);
        var inputs = new Dictionary<int, Tensor> { [graph.Inputs[0]] = input };
        var walls = new List<double>();
        var cpus = new List<double>();
        int fused = 0;
        for (int run = 0; run <= Runs; run++)
        {
            double cpuStart = ThreadCpuSeconds();
            long start = Stopwatch.GetTimestamp();
            using (var pass = executor.Forward(inputs, new ForwardOptions())) fused = pass.FusedConvolutions;
            if (run == 0) continue; // warm-up
            walls.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            cpus.Add(ThreadCpuSeconds() - cpuStart);
        }
        return (Median(walls), Median(cpus), fused);
    }

    /// <summary>Wall and calling-thread CPU seconds per node for one forward of the whole graph (every value kept until the end).</summary>
    private static (double[] Wall, double[] Cpu) TimeNodes(ComputeGraph graph, Tensor input)
    {
        var values = new Tensor?[graph.Values.Count];
        var owned = new List<Tensor>();
        foreach (var v in graph.Values) values[v.Id] = v.Data;
        values[graph.Inputs[0]] = input;
        var times = new double[graph.Nodes.Count];
        var cpu = new double[graph.Nodes.Count];
        try
        {
            foreach (var node in graph.Nodes)
            {
                var ins = node.Inputs.Select(i => values[i]!).ToArray();
                var outs = node.Outputs.Select(o => input.Backend.Allocate(graph.Values[o].Shape, clear: false)).ToArray();
                for (int j = 0; j < outs.Length; j++)
                {
                    values[node.Outputs[j]] = outs[j];
                    owned.Add(outs[j]);
                }
                double cpuStart = ThreadCpuSeconds();
                long start = Stopwatch.GetTimestamp();
                node.Operation.Forward(ins, outs);
                times[node.Id] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                cpu[node.Id] = ThreadCpuSeconds() - cpuStart;
            }
        }
        finally
        {
            foreach (var t in owned) t.Dispose();
        }
        return (times, cpu);
    }

    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>CPU seconds the calling thread has used (Linux).</summary>
    internal static double ThreadCpuSeconds() => ClockGetTime(ClockThreadCpuTime, out var t) == 0 ? t.Seconds + t.Nanoseconds * 1e-9 : 0;

    private static string Category(ComputeGraph graph, GraphNode node)
    {
        if (node.Operation is not Conv2d conv) return node.Operation.Kind;
        var x = graph.Values[node.Inputs[0]].Shape;
        var w = graph.Values[node.Inputs[1]].Shape;
        var y = graph.Values[node.Outputs[0]].Shape;
        string kind = conv.Groups == 1 ? "" : conv.Groups == x[1] ? " depthwise" : $" g{conv.Groups}";
        return $"Conv {w[2]}x{w[3]}/s{conv.Strides[0]}{kind} -> {y[2]}x{y[3]}";
    }
}
