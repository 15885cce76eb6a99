using System.Globalization;
using ModelAudit.Analysis;
using Microsoft.ML.OnnxRuntime;

namespace ModelAudit.Benchmarks;

/// <summary>
/// Forward of resnet18, resnet50 and mobilenet_v3_small at 224x224, batch 8, on our engine and on ONNX Runtime
/// (NuGet Microsoft.ML.OnnxRuntime, default CPU provider, all graph optimisations) in the same process, the
/// same ONNX files (Peers/export_peer_models.py) and the same input, interleaved, median of 5, at 1 and 2 threads
/// (ONNX Runtime's intra-op threads; ours through the kernels' parallel degree). ONNX Runtime's idle spinning is
/// turned off so that its pool does not burn a core while our engine runs. Beside the wall-clock ratio, the ratio of
/// process CPU seconds (steadier on a loaded machine). MODEL_AUDIT_PEER_MODELS=resnet18 runs one model;
/// MODEL_AUDIT_ORT_PROFILE=1 adds ONNX Runtime's per-node profile (OrtSuite.Profile.cs).
/// </summary>
public sealed partial class OrtSuite : IBenchmarkSuite
{
    public string Name => "ort";

    public void Run(TextWriter output)
    {
        if (!PeerModels.Available(output)) return;
        var images = PeerModels.Images(PeerModels.Batch, PeerModels.Size);
        long[] shape = [PeerModels.Batch, 3, PeerModels.Size, PeerModels.Size];
        output.WriteLine($"forward, {PeerModels.Size}x{PeerModels.Size}, batch {PeerModels.Batch}, median of {PeerModels.Repetitions} interleaved runs; ONNX Runtime {OrtEnv.Instance().GetVersionString()}");
        var table = new ResultTable("model", "threads", "ours img/s", "ORT img/s", "ours / ORT", "by CPU time", "load avg");
        foreach (string name in PeerModels.Selected)
        {
            // The pool's idle buffers dropped, as the audit does after every chunk (see TorchSuite).
            ModelExecution.ReleaseChunkMemory();
            using var ours = new OurModel(name, images);
            foreach (int threads in new[] { 1, 2 })
            {
                using var options = Options(threads);
                using var session = new InferenceSession(PeerModels.ModelPath(name), options);
                using var input = OrtValue.CreateTensorValueFromMemory(images, shape);
                string inputName = session.InputNames[0];
                using var runOptions = new RunOptions();
                void Peer()
                {
                    using var results = session.Run(runOptions, [inputName], [input], session.OutputNames);
                }
                using var scope = PeerModels.Threads(threads);
                string load = PeerModels.LoadAverage();
                var (a, b) = PeerModels.InterleavedWithCpu(ours.Forward, Peer);
                table.Add(name, threads.ToString(CultureInfo.InvariantCulture), Rate(a.Wall), Rate(b.Wall), (b.Wall / a.Wall).ToString("F2", CultureInfo.InvariantCulture),
                    (b.Cpu / a.Cpu).ToString("F2", CultureInfo.InvariantCulture), load + " / " + PeerModels.LoadAverage());
            }
        }
        table.Write(output);
        if (Environment.GetEnvironmentVariable("MODEL_AUDIT_ORT_PROFILE") is { Length: > 0 })
        {
            foreach (string name in PeerModels.Selected)
                foreach (int threads in new[] { 1, 2 })
                    WriteProfile(name, threads, images, shape, output);
        }
    }

    /// <summary>
    /// The session settings of every run: default CPU provider, all graph optimisations, <paramref name="threads"/> intra-op
    /// threads, idle spinning off so that its pool does not burn a core while our engine runs.
    /// </summary>
    private static SessionOptions Options(int threads)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    private static string Rate(double seconds) => (PeerModels.Batch / seconds).ToString("F1", CultureInfo.InvariantCulture);
}
