using System.Diagnostics;
using System.Globalization;
using ModelAudit.Analysis;
using ModelAudit.Analysis.Attribution;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Benchmarks;

/// <summary>
/// Our engine against Debian's PyTorch 1.13 (/usr/bin/python3 running Peers/torch_peer.py, started once and
/// driven line by line so that single runs interleave): forward and forward + one backward to every Relu/Add output
/// of resnet18, resnet50 and mobilenet_v3_small at 224x224, batch 8 (median of 5), and the all-layer conductance
/// sweep of resnet18 at 64x64 as the <c>conductance</c> suite runs it (16 samples, 51 points, chunks of 256;
/// median of 3), and the depthwise 3x3 convolution of the issue (64 channels, 56x56, batch 8: forward, input and
/// filter gradient), at 1 and 2 threads. Both sides run batch norm folded into the convolutions.
/// MODEL_AUDIT_TORCH_PARTS picks parts: comma-separated of models, conductance, depthwise (default all).
/// </summary>
public sealed class TorchSuite : IBenchmarkSuite
{
    private const int ConductanceRepetitions = 3;

    public string Name => "torch";

    public void Run(TextWriter output)
    {
        if (!PeerModels.Available(output)) return;
        const string python = "/usr/bin/python3";
        var info = new ProcessStartInfo(python, [Path.Combine(PeerModels.Scripts, "torch_peer.py")])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
        };
        using var peer = Process.Start(info) ?? throw new InvalidOperationException($"{python} did not start");
        double Ask(string command)
        {
            peer.StandardInput.WriteLine(command);
            peer.StandardInput.Flush();
            string? line = peer.StandardOutput.ReadLine();
            if (line is null) throw new InvalidOperationException($"torch_peer.py ended on '{command}'");
            return double.Parse(line, CultureInfo.InvariantCulture);
        }

        try
        {
            output.WriteLine($"PyTorch 1.13 ({python}); {PeerModels.Size}x{PeerModels.Size}, batch {PeerModels.Batch}, median of {PeerModels.Repetitions} interleaved runs; conductance median of {ConductanceRepetitions}");
            var table = new ResultTable("work", "model", "threads", "ours s", "torch s", "ours / torch (speed)", "load avg");
            var parts = (Environment.GetEnvironmentVariable("MODEL_AUDIT_TORCH_PARTS") ?? "models,conductance,depthwise").Split(',');
            if (parts.Contains("depthwise")) Depthwise(table, Ask, output);
            var images = PeerModels.Images(PeerModels.Batch, PeerModels.Size);
            foreach (string name in parts.Contains("models") ? PeerModels.Selected : [])
            {
                // The pool's idle buffers dropped, as the audit does after every chunk: the last model's (resnet50's 209M
                // floats) made the next workload allocate afresh (the conductance sweep after it ran 20-25% slower).
                ModelExecution.ReleaseChunkMemory();
                using var ours = new OurModel(name, images);
                foreach (int threads in new[] { 1, 2 })
                {
                    using var scope = PeerModels.Threads(threads);
                    Add(table, output, "forward", name, threads, () => PeerModels.Time(ours.Forward), () => Ask($"forward {name} {threads}"), PeerModels.Repetitions);
                    Add(table, output, $"fwd + bwd to {ours.LayerCount} Relu/Add", name, threads, () => PeerModels.Time(ours.ForwardBackward), () => Ask($"backward {name} {threads}"), PeerModels.Repetitions);
                }
            }

            ModelExecution.ReleaseChunkMemory();
            const int samples = 16;
            var model = new ResNet18(64, classes: 10);
            model.GetPlan(1);
            using var input = Tensor.FromArray(GemmSuite.Random(samples * 3 * 64 * 64, 5), samples, 3, 64, 64);
            var targets = Enumerable.Range(0, samples).Select(i => (long)(i % 10)).ToArray();
            var conductance = new LayerConductance(model, new PathIntegralOptions(Steps: 50, InternalBatchSize: 256));
            foreach (int threads in parts.Contains("conductance") ? new[] { 1, 2 } : [])
            {
                using var scope = PeerModels.Threads(threads);
                Add(table, output, $"conductance, {model.AuditLayers.Count} layers, 64x64", "resnet18", threads,
                    () => PeerModels.Time(() => conductance.Compute(input, targets, [0f], model.AuditLayers)), () => Ask($"conductance {threads}"), ConductanceRepetitions);
            }
            table.Write(output);
        }
        finally
        {
            peer.StandardInput.WriteLine("quit");
            peer.StandardInput.Flush();
            if (!peer.WaitForExit(10_000)) peer.Kill();
        }
    }

    private static void Depthwise(ResultTable table, Func<string, double> ask, TextWriter output)
    {
        var g = new Conv2dGeometry(8, 64, 56, 56, 64, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 64);
        float[] x = GemmSuite.Random((int)Conv2d.InputLength(g), 1), w = GemmSuite.Random((int)Conv2d.WeightLength(g), 2);
        float[] dy = GemmSuite.Random((int)Conv2d.OutputLength(g), 4);
        float[] y = new float[dy.Length], dx = new float[x.Length], dw = new float[w.Length];
        foreach (int threads in new[] { 1, 2 })
        {
            using var scope = PeerModels.Threads(threads);
            // Single calls are ~1-20 ms: each timed sample is 10 calls.
            Add(table, output, "depthwise 3x3 forward", "64 ch 56x56 b8", threads, () => Ten(() => Conv2d.Forward(g, x, w, [], y)), () => TenAsk(ask, $"depthwise forward {threads}"), PeerModels.Repetitions);
            Add(table, output, "depthwise 3x3 input grad", "64 ch 56x56 b8", threads, () => Ten(() => Conv2d.BackwardData(g, dy, w, dx)), () => TenAsk(ask, $"depthwise data {threads}"), PeerModels.Repetitions);
            Add(table, output, "depthwise 3x3 filter grad", "64 ch 56x56 b8", threads, () => Ten(() => Conv2d.BackwardFilter(g, x, dy, dw, [])), () => TenAsk(ask, $"depthwise filter {threads}"), PeerModels.Repetitions);
        }
    }

    private static double Ten(Action action) => PeerModels.Time(() =>
    {
        for (int i = 0; i < 10; i++) action();
    });

    private static double TenAsk(Func<string, double> ask, string command)
    {
        double sum = 0;
        for (int i = 0; i < 10; i++) sum += ask(command);
        return sum;
    }

    /// <summary>Measures one row, adds it to the table and prints it at once (a full run takes long on a loaded machine).</summary>
    private static void Add(ResultTable table, TextWriter output, string work, string model, int threads, Func<double> ours, Func<double> torch, int repetitions)
    {
        string load = PeerModels.LoadAverage();
        var (a, b) = PeerModels.Interleaved(ours, torch, repetitions);
        string[] row = [work, model, threads.ToString(CultureInfo.InvariantCulture), a.ToString("F3", CultureInfo.InvariantCulture),
            b.ToString("F3", CultureInfo.InvariantCulture), (b / a).ToString("F2", CultureInfo.InvariantCulture), load + " / " + PeerModels.LoadAverage()];
        table.Add(row);
        output.WriteLine("row: " + string.Join(" | ", row));
        output.Flush();
    }
}
