using System.Diagnostics;
using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Benchmarks;

/// <summary>
/// What the peer suites (<c>ort</c>, <c>torch</c>) share: the exported torchvision models
/// (Peers/export_peer_models.py), our engine on them at a fixed thread count, interleaved medians and the load average.
/// </summary>
internal static class PeerModels
{
    /// <summary>The models of the issue, all at 224x224, batch 8.</summary>
    public static readonly string[] Names = ["resnet18", "resnet50", "mobilenet_v3_small"];

    /// <summary><see cref="Names"/>, or the comma-separated subset in MODEL_AUDIT_PEER_MODELS (for a quicker look at one model).</summary>
    public static string[] Selected => Environment.GetEnvironmentVariable("MODEL_AUDIT_PEER_MODELS") is { Length: > 0 } list
        ? [.. list.Split(',').Where(Names.Contains)]
        : Names;

    public const int Batch = 8;

    public const int Size = 224;

    /// <summary>Timed runs per engine and case (after one warm-up run each).</summary>
    public const int Repetitions = 5;

    /// <summary>tests/ModelAudit.Benchmarks/out/peers, where the export script writes.</summary>
    public static string Folder => Path.Combine(Root, "tests", "ModelAudit.Benchmarks", "out", "peers");

    /// <summary>Peers/ beside the benchmark sources (the Python scripts).</summary>
    public static string Scripts => Path.Combine(Root, "tests", "ModelAudit.Benchmarks", "Peers");

    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Audit.sln"))) return dir.FullName;
            throw new DirectoryNotFoundException("Audit.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>True when every model file is there; otherwise says how to make them.</summary>
    public static bool Available(TextWriter output)
    {
        var missing = Names.Where(n => !File.Exists(ModelPath(n))).ToList();
        if (missing.Count == 0) return true;
        output.WriteLine($"needs {string.Join(", ", missing.Select(ModelPath))}: run /usr/bin/python3 tests/ModelAudit.Benchmarks/Peers/export_peer_models.py");
        return false;
    }

    public static string ModelPath(string name) => Path.Combine(Folder, name + ".onnx");

    /// <summary>The 1-minute load average (/proc/loadavg), to print beside numbers from a shared machine.</summary>
    public static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    /// <summary>The same seeded N(0, 1) batch for every engine.</summary>
    public static float[] Images(int batch, int size) => GemmSuite.Random(batch * 3 * size * size, 3);

    /// <summary>
    /// Runs <paramref name="ours"/> and <paramref name="peer"/> alternately: warmed up (<see cref="Timing.WarmUp"/>), then
    /// <paramref name="repetitions"/> timed runs each, interleaved so both see the same load; returns the medians.
    /// </summary>
    public static (double Ours, double Peer) Interleaved(Func<double> ours, Func<double> peer, int repetitions = Repetitions)
    {
        Timing.WarmUp(() => ours());
        Timing.WarmUp(() => peer());
        var a = new List<double>();
        var b = new List<double>();
        for (int i = 0; i < repetitions; i++)
        {
            a.Add(ours());
            b.Add(peer());
        }
        return (Median(a), Median(b));
    }

    /// <summary>
    /// Like <see cref="Interleaved"/>, but each run also reports the process's CPU seconds: on a machine shared with
    /// other work the wall-clock ratio swings with the scheduler, the CPU-time ratio much less (at one thread it is
    /// the cost of the work itself; at two it also counts what the threads spend waiting for each other).
    /// </summary>
    public static ((double Wall, double Cpu) Ours, (double Wall, double Cpu) Peer) InterleavedWithCpu(Action ours, Action peer, int repetitions = Repetitions)
    {
        Timing.WarmUp(ours);
        Timing.WarmUp(peer);
        var a = new List<(double, double)>();
        var b = new List<(double, double)>();
        for (int i = 0; i < repetitions; i++)
        {
            a.Add(TimeWithCpu(ours));
            b.Add(TimeWithCpu(peer));
        }
        return ((Median([.. a.Select(t => t.Item1)]), Median([.. a.Select(t => t.Item2)])), (Median([.. b.Select(t => t.Item1)]), Median([.. b.Select(t => t.Item2)])));
    }

    /// <summary>Wall-clock and process CPU seconds of one call of <paramref name="action"/>.</summary>
    public static (double Wall, double Cpu) TimeWithCpu(Action action)
    {
        using var process = Process.GetCurrentProcess();
        TimeSpan cpu = process.TotalProcessorTime;
        long start = Stopwatch.GetTimestamp();
        action();
        double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
        process.Refresh();
        return (wall, (process.TotalProcessorTime - cpu).TotalSeconds);
    }

    /// <summary>Seconds one call of <paramref name="action"/> takes.</summary>
    public static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    internal static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    /// <summary>Our engine's thread count for the duration of a using block.</summary>
    public static IDisposable Threads(int threads)
    {
        int before = KernelParallel.MaxDegree;
        KernelParallel.MaxDegree = threads;
        return new Restore(() => KernelParallel.MaxDegree = before);
    }

    private sealed class Restore(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}

/// <summary>One exported model on our engine: graph for batch 8, forward, and forward + backward to every Relu/Add output.</summary>
internal sealed class OurModel : IDisposable
{
    private readonly ComputeGraph _graph;
    private readonly GraphExecutor _executor;
    private readonly Dictionary<int, Tensor> _inputs;
    private readonly Tensor _input;
    private readonly int _output;
    private readonly int[] _layers;
    private readonly long[] _targets;

    public OurModel(string name, float[] images)
    {
        var model = OnnxModel.Load(PeerModels.ModelPath(name));
        _graph = model.BuildGraph(PeerModels.Batch);
        _executor = new GraphExecutor(_graph);
        _input = Tensor.FromArray(images, PeerModels.Batch, 3, PeerModels.Size, PeerModels.Size);
        _inputs = new Dictionary<int, Tensor> { [_graph.Inputs[0]] = _input };
        _output = _graph.Outputs[0];
        _layers = [.. model.Summarize(PeerModels.Batch)
            .Where(n => n.OpType is "Relu" or "Add")
            .Select(n => _graph[n.Outputs[0].Name])];
        _targets = [.. Enumerable.Range(0, PeerModels.Batch).Select(i => (long)(i * 97 % 1000))];
    }

    /// <summary>Number of Relu/Add outputs the backward reaches.</summary>
    public int LayerCount => _layers.Length;

    public void Forward()
    {
        using var pass = _executor.Forward(_inputs, new ForwardOptions());
    }

    public void ForwardBackward()
    {
        using var pass = _executor.Forward(_inputs, new ForwardOptions { RecordForBackward = true });
        using var seed = GradientSeeds.SelectedLogits(_graph.Values[_output].Shape, _targets);
        using var grads = pass.Backward(new Dictionary<int, Tensor> { [_output] = seed }, _layers);
    }

    public void Dispose() => _input.Dispose();
}
