using System.Diagnostics;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Benchmarks;

/// <summary>
/// resnet18 at 224x224, batch 8: forward, and forward + one backward to every Relu/Add layer; images/s,
/// effective GFLOP/s against our own SGEMM at 1024 in the same process, and the process's peak working set.
/// </summary>
public sealed class ResNetSuite : IBenchmarkSuite
{
    /// <summary>Multiply-adds of resnet18 at 224 (torchvision's 1.82 GMAC), as FLOPs.</summary>
    private const double ForwardFlopsPerImage = 2 * 1.814e9;

    public string Name => "resnet18";

    public void Run(TextWriter output)
    {
        const int batch = 8;
        var model = new ResNet18(224);
        var plan = model.GetPlan(batch);
        var graph = plan.Graph;
        int inputId = graph[model.InputName], outputId = graph[model.OutputName];
        var layerIds = model.AuditLayers.Select(l => graph[l]).ToArray();
        using var input = Tensor.FromArray(GemmSuite.Random(batch * 3 * 224 * 224, 3), batch, 3, 224, 224);
        var inputs = new Dictionary<int, Tensor> { [inputId] = input };
        var targets = Enumerable.Range(0, batch).Select(i => (long)(i * 97 % 1000)).ToArray();

        void Forward()
        {
            using var pass = plan.Executor.Forward(inputs, new ForwardOptions());
        }
        void ForwardBackward()
        {
            using var pass = plan.Executor.Forward(inputs, new ForwardOptions { RecordForBackward = true });
            using var seed = GradientSeeds.SelectedLogits(graph.Values[outputId].Shape, targets);
            using var grads = pass.Backward(new Dictionary<int, Tensor> { [outputId] = seed }, layerIds);
        }

        using var process = Process.GetCurrentProcess();
        double forward = Timing.MedianSeconds(Forward, minRepetitions: 3, budgetSeconds: 0);
        process.Refresh();
        long peakForward = process.PeakWorkingSet64;
        double backward = Timing.MedianSeconds(ForwardBackward, minRepetitions: 3, budgetSeconds: 0);
        process.Refresh();
        long peakBackward = process.PeakWorkingSet64;

        float[] a = GemmSuite.Random(1024 * 1024, 1), b = GemmSuite.Random(1024 * 1024, 2), c = new float[1024 * 1024];
        double gemm = 2.0 * 1024 * 1024 * 1024 / Timing.MedianSeconds(() => Sgemm.Multiply(false, false, 1024, 1024, 1024, 1f, a, 1024, b, 1024, 0f, c, 1024)) / 1e9;

        output.WriteLine($"resnet18 224x224, batch {batch}, backward to {layerIds.Length} Relu/Add layers; reference: our SGEMM at 1024 = {gemm:F1} GFLOP/s");
        var table = new ResultTable("pass", "ms / batch", "images/s", "GFLOP/s", "vs SGEMM", "peak working set MiB");
        double fwdFlops = ForwardFlopsPerImage * batch;
        table.Add("forward", GemmSuite.Ms(forward), $"{batch / forward:F1}", $"{fwdFlops / forward / 1e9:F1}", $"{fwdFlops / forward / 1e9 / gemm:F2}", $"{peakForward / 1048576.0:F0}");
        // Backward costs about two forwards (input and weight gradients): 3x the forward FLOPs in all.
        table.Add("forward + backward", GemmSuite.Ms(backward), $"{batch / backward:F1}", $"{3 * fwdFlops / backward / 1e9:F1}", $"{3 * fwdFlops / backward / 1e9 / gemm:F2}", $"{peakBackward / 1048576.0:F0}");
        table.Write(output);
    }
}
