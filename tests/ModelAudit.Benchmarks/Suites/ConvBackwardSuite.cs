using System.Globalization;
using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Benchmarks;

/// <summary>
/// The convolution gradients' paths against each other on resnet18's convolutions, at 224x224 batch 8 (the torch
/// suite's model rows) and at 64x64 batch 256 (a conductance chunk), and the torch suite's depthwise case. Input
/// gradient: the scatter path (dense: GEMM into a column matrix, then col2im; depthwise: the tap-by-tap scatter of
/// <see cref="DepthwiseConv2d.BackwardData"/>), the batched small-map scatter path with its column matrix made whole
/// rather than in cache-sized chunks, the same gradient as a forward convolution with the turned kernel
/// (<see cref="Conv2dDataGradient"/>, stride 1 only), and what <see cref="Conv2d.BackwardData"/> picks. Weight gradient:
/// one GEMM per sample against what <see cref="Conv2d.BackwardFilter"/> picks. Calling-thread CPU time per call
/// (fastest of interleaved runs), so run it at MODEL_AUDIT_BENCH_THREADS=1 for numbers that hold on a loaded machine.
/// </summary>
public sealed class ConvBackwardSuite : IBenchmarkSuite
{
    private const int Runs = 7;

    public string Name => "conv-backward";

    public void Run(TextWriter output)
    {
        var table = new ResultTable("case", "GFLOP", "scatter ms", "scatter, batched unchunked ms", "as forward ms", "picked ms", "scatter / picked", "picked", "max |picked - scatter|");
        foreach (var (name, g) in Cases())
        {
            float[] w = GemmSuite.Random((int)Conv2d.WeightLength(g), 2), dy = GemmSuite.Random((int)Conv2d.OutputLength(g), 4);
            float[] dxColumns = new float[Conv2d.InputLength(g)], dxForward = new float[dxColumns.Length], dxPicked = new float[dxColumns.Length];
            bool strideOne = g.StrideH == 1 && g.StrideW == 1 && g.KernelHeight * g.KernelWidth > 1;
            bool batched = g.Groups == 1 && Conv2dBatched.Applies(g);
            float[] dxWhole = new float[dxColumns.Length];
            var whole = new List<double>();
            var columns = new List<double>();
            var forward = new List<double>();
            var picked = new List<double>();
            var paths = new (List<double> Times, Action Call)[]
            {
                (columns, () =>
                {
                    if (g.Groups > 1) DepthwiseConv2d.BackwardData(g, dy, w, dxColumns);
                    else Conv2d.BackwardDataByColumns(g, dy, w, dxColumns);
                }),
                (forward, () => { if (strideOne) Conv2dDataGradient.Compute(g, dy, w, dxForward); }),
                (picked, () => Conv2d.BackwardData(g, dy, w, dxPicked)),
                (whole, () => { if (batched) Conv2d.BackwardDataByColumns(g, dy, w, dxWhole, int.MaxValue); }),
            };
            for (int run = 0; run <= Runs; run++)
            {
                // The order turns each run, so no path always runs right after another's cache footprint.
                for (int k = 0; k < paths.Length; k++)
                {
                    var (times, call) = paths[(run + k) % paths.Length];
                    double seconds = Cpu(call);
                    if (run > 0) times.Add(seconds);
                }
            }
            double difference = 0;
            for (int i = 0; i < dxPicked.Length; i++) difference = Math.Max(difference, Math.Abs(dxPicked[i] - dxColumns[i]));
            double flops = 2.0 * Conv2d.OutputLength(g) * g.GroupInChannels * g.KernelHeight * g.KernelWidth;
            double mc = Fastest(columns), mf = Fastest(forward), mp = Fastest(picked), mw = Fastest(whole);
            table.Add(name, (flops / 1e9).ToString("F2", CultureInfo.InvariantCulture), Ms(mc), batched ? Ms(mw) : "-", strideOne ? Ms(mf) : "-", Ms(mp),
                (mc / mp).ToString("F2", CultureInfo.InvariantCulture), Conv2dDataGradient.Applies(g) ? "as forward" : "scatter",
                difference.ToString("G3", CultureInfo.InvariantCulture));
        }
        output.WriteLine($"input gradient: calling-thread CPU ms per call, fastest of {Runs}; our threads {KernelParallel.MaxDegree}, load average {PeerModels.LoadAverage()}");
        table.Write(output);
        output.WriteLine();
        var filters = new ResultTable("case", "GFLOP", "per sample ms", "picked ms", "per sample / picked", "max |picked - per sample|");
        foreach (var (name, g) in Cases())
        {
            if (g.Groups > 1) continue;
            float[] x = GemmSuite.Random((int)Conv2d.InputLength(g), 1), dy = GemmSuite.Random((int)Conv2d.OutputLength(g), 4);
            float[] dwPerSample = new float[Conv2d.WeightLength(g)], dwPicked = new float[dwPerSample.Length];
            var perSample = new List<double>();
            var picked = new List<double>();
            for (int run = 0; run <= Runs; run++)
            {
                double a = Cpu(() => Conv2d.BackwardFilterPerSample(g, x, dy, dwPerSample));
                double b = Cpu(() => Conv2d.BackwardFilter(g, x, dy, dwPicked, []));
                if (run == 0) continue;
                perSample.Add(a);
                picked.Add(b);
            }
            double difference = 0;
            for (int i = 0; i < dwPicked.Length; i++) difference = Math.Max(difference, Math.Abs(dwPicked[i] - dwPerSample[i]));
            double flops = 2.0 * Conv2d.OutputLength(g) * g.GroupInChannels * g.KernelHeight * g.KernelWidth;
            filters.Add(name, (flops / 1e9).ToString("F2", CultureInfo.InvariantCulture), Ms(Fastest(perSample)), Ms(Fastest(picked)),
                (Fastest(perSample) / Fastest(picked)).ToString("F2", CultureInfo.InvariantCulture), difference.ToString("G3", CultureInfo.InvariantCulture));
        }
        output.WriteLine("weight gradient (dense convolutions): per-sample GEMMs against what Conv2d.BackwardFilter picks (batched at maps of fewer than 16 positions)");
        filters.Write(output);
    }

    /// <summary>resnet18's distinct convolutions (after conv1, whose input gradient no audit needs) at both sizes.</summary>
    private static IEnumerable<(string Name, Conv2dGeometry Geometry)> Cases()
    {
        yield return ("depthwise 3x3 64 56x56 b8", new Conv2dGeometry(8, 64, 56, 56, 64, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 64));
        foreach (var (size, batch) in new[] { (224, 8), (64, 256) })
        {
            int map = size / 4;
            foreach (int width in new[] { 64, 128, 256, 512 })
            {
                if (width > 64)
                {
                    yield return ($"3x3/s2 {width / 2}->{width} {map}->{map / 2} b{batch}", new Conv2dGeometry(batch, width / 2, map, map, width, 3, 3, 2, 2, 1, 1, 1, 1));
                    yield return ($"1x1/s2 {width / 2}->{width} {map}->{map / 2} b{batch}", new Conv2dGeometry(batch, width / 2, map, map, width, 1, 1, 2, 2));
                    map /= 2;
                }
                yield return ($"3x3/s1 {width} {map}x{map} b{batch}", new Conv2dGeometry(batch, width, map, map, width, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1));
            }
        }
    }

    private static double Cpu(Action action)
    {
        double start = ProfileSuite.ThreadCpuSeconds();
        action();
        return ProfileSuite.ThreadCpuSeconds() - start;
    }

    /// <summary>The fastest run: CPU time only grows with interference from other processes (cache, SMT sibling).</summary>
    private static double Fastest(List<double> values) => values.Min();

    private static string Ms(double seconds) => (seconds * 1e3).ToString("F2", CultureInfo.InvariantCulture);
}
