using System.Diagnostics;
using System.Globalization;
using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Benchmarks;

/// <summary>
/// The reverse pass of "forward + one backward to every Relu/Add output" per operation kind: each node's forward, and
/// in reverse order its input gradient (for a convolution: backward-data) and, for convolutions, the weight and bias
/// gradient (backward-filter, which that workload never needs but training-style callers do), each timed on its own.
/// Gradients flow as in <see cref="ForwardPass.Backward"/> from a ones seed on the logits; the graph input gets none.
/// Runs on the peer models (MODEL_AUDIT_PEER_MODELS) at 224x224, batch 8 (the torch suite's model rows) and on the benchmark
/// resnet18 at 64x64, batch 256 (one chunk of the conductance sweep).
/// </summary>
public sealed partial class ProfileSuite
{
    private void RunBackward(TextWriter output)
    {
        var images = PeerModels.Images(PeerModels.Batch, PeerModels.Size);
        foreach (string name in PeerModels.Selected)
        {
            using var input = Tensor.FromArray(images, PeerModels.Batch, 3, PeerModels.Size, PeerModels.Size);
            ProfileBackward(output, $"{name} {PeerModels.Size}x{PeerModels.Size} b{PeerModels.Batch}", OnnxModel.Load(PeerModels.ModelPath(name)).BuildGraph(PeerModels.Batch), input);
        }
        const int chunk = 256;
        var model = new ResNet18(64, classes: 10);
        var graph = model.GetPlan(chunk).Graph;
        using var small = Tensor.FromArray(GemmSuite.Random(chunk * 3 * 64 * 64, 5), chunk, 3, 64, 64);
        ProfileBackward(output, $"resnet18 64x64 b{chunk} (a conductance chunk)", graph, small);
    }

    private static void ProfileBackward(TextWriter output, string title, ComputeGraph graph, Tensor input)
    {
        // Per node: forward, input gradient, weight gradient; wall and calling-thread CPU, a list of runs each.
        var samples = new List<double>[graph.Nodes.Count, 6];
        for (int i = 0; i < graph.Nodes.Count; i++)
            for (int k = 0; k < 6; k++) samples[i, k] = [];
        for (int run = 0; run <= Runs; run++)
        {
            var times = TimeForwardBackward(graph, input);
            if (run == 0) continue; // warm-up
            for (int i = 0; i < graph.Nodes.Count; i++)
                for (int k = 0; k < 6; k++) samples[i, k].Add(times[i, k]);
        }
        var byCategory = new Dictionary<string, (double[] Sums, int Count)>();
        var totals = new double[6];
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            string category = Category(graph, graph.Nodes[i]);
            if (!byCategory.TryGetValue(category, out var entry)) entry = (new double[6], 0);
            for (int k = 0; k < 6; k++)
            {
                double median = Median(samples[i, k]);
                entry.Sums[k] += median;
                totals[k] += median;
            }
            byCategory[category] = (entry.Sums, entry.Count + 1);
        }
        output.WriteLine($"{title}, backward to every Relu/Add: forward {Ms(totals[0])} wall / {Ms(totals[1])} CPU, input gradients {Ms(totals[2])} / {Ms(totals[3])}, " +
            $"weight gradients (not in that workload) {Ms(totals[4])} / {Ms(totals[5])} ms (sums of node medians), load average {PeerModels.LoadAverage()}");
        var table = new ResultTable("category", "nodes", "fwd wall ms", "fwd CPU ms", "bwd-data wall ms", "bwd-data CPU ms", "bwd-filter wall ms", "bwd-filter CPU ms", "fwd+bwd-data CPU share");
        double workCpu = totals[1] + totals[3];
        foreach (var (category, (sums, count)) in byCategory.OrderByDescending(p => p.Value.Sums[1] + p.Value.Sums[3]))
            table.Add(category, count.ToString(CultureInfo.InvariantCulture), Ms(sums[0]), Ms(sums[1]), Ms(sums[2]), Ms(sums[3]), Ms(sums[4]), Ms(sums[5]),
                ((sums[1] + sums[3]) / workCpu).ToString("P1", CultureInfo.InvariantCulture));
        table.Write(output);
        output.WriteLine();
    }

    private static string Ms(double seconds) => (seconds * 1e3).ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>One forward of the whole graph (every value kept) and one reverse pass; [node, forward/data/filter x wall/CPU] seconds.</summary>
    private static double[,] TimeForwardBackward(ComputeGraph graph, Tensor input)
    {
        var times = new double[graph.Nodes.Count, 6];
        var values = new Tensor?[graph.Values.Count];
        var grads = new Tensor?[graph.Values.Count];
        var owned = new List<Tensor>();
        foreach (var v in graph.Values) values[v.Id] = v.Data;
        values[graph.Inputs[0]] = input;
        var backend = input.Backend;
        try
        {
            foreach (var node in graph.Nodes)
            {
                var ins = node.Inputs.Select(i => values[i]!).ToArray();
                var outs = node.Outputs.Select(o => backend.Allocate(graph.Values[o].Shape, clear: false)).ToArray();
                for (int j = 0; j < outs.Length; j++)
                {
                    values[node.Outputs[j]] = outs[j];
                    owned.Add(outs[j]);
                }
                Timed(times, node.Id, 0, () => node.Operation.Forward(ins, outs));
            }
            int logits = graph.Outputs[0];
            grads[logits] = backend.Allocate(graph.Values[logits].Shape, clear: false);
            grads[logits]!.Span.Fill(1f);
            for (int n = graph.Nodes.Count - 1; n >= 0; n--)
            {
                var node = graph.Nodes[n];
                var outGrads = node.Outputs.Select(o => grads[o]).ToArray();
                if (outGrads.All(g => g is null)) continue;
                var ins = node.Inputs.Select(i => values[i]!).ToArray();
                var outs = node.Outputs.Select(o => values[o]!).ToArray();
                bool isConv = node.Operation is Conv2d;
                // Input gradients: every differentiable non-constant input but the graph's own input (the workload's wrt).
                var needData = node.Inputs.Select((id, j) => node.Operation.IsDifferentiable(j) && graph.Values[id].Data is null && graph.Values[id].Kind != ValueKind.Input).ToArray();
                Tensor?[] dataGrads = [];
                if (needData.Any(b => b)) Timed(times, n, 2, () => dataGrads = node.Operation.Backward(ins, outs, outGrads, needData));
                if (isConv)
                {
                    var needFilter = node.Inputs.Select((_, j) => j > 0).ToArray();
                    Tensor?[] filterGrads = [];
                    Timed(times, n, 4, () => filterGrads = node.Operation.Backward(ins, outs, outGrads, needFilter));
                    foreach (var g in filterGrads) g?.Dispose();
                }
                for (int j = 0; j < dataGrads.Length; j++)
                {
                    var g = dataGrads[j];
                    if (g is null) continue;
                    if (!needData[j])
                    {
                        g.Dispose();
                        continue;
                    }
                    int id = node.Inputs[j];
                    if (grads[id] is { } existing)
                    {
                        backend.Axpy(1f, g, existing);
                        g.Dispose();
                    }
                    else
                    {
                        grads[id] = g;
                    }
                }
                foreach (var o in node.Outputs)
                {
                    grads[o]?.Dispose();
                    grads[o] = null;
                }
            }
        }
        finally
        {
            foreach (var g in grads) g?.Dispose();
            foreach (var t in owned) t.Dispose();
        }
        return times;
    }

    private static void Timed(double[,] times, int node, int column, Action action)
    {
        double cpuStart = ThreadCpuSeconds();
        long start = Stopwatch.GetTimestamp();
        action();
        times[node, column] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        times[node, column + 1] = ThreadCpuSeconds() - cpuStart;
    }
}
