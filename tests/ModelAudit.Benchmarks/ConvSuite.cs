using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Benchmarks;

/// <summary>
/// 3x3 convolution 64 -> 64 channels on 56x56, batch 8, pad 1 (a ResNet stage-1 layer), a pointwise one, mobilenet's
/// stem (3 -> 16 channels, stride 2) and a depthwise one: forward, input gradient and filter gradient GFLOP/s, against an im2col + OpenBLAS cblas_sgemm forward reference.
/// </summary>
public sealed class ConvSuite : IBenchmarkSuite
{
    public string Name => "conv";

    public void Run(TextWriter output)
    {
        var cases = new (string Name, Conv2dGeometry Geometry)[]
        {
            ("3x3 64->64 56x56 b8", new Conv2dGeometry(8, 64, 56, 56, 64, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1)),
            ("1x1 64->256 56x56 b8", new Conv2dGeometry(8, 64, 56, 56, 256, 1, 1)),
            ("stem 3x3/s2 3->16 224x224 b8", new Conv2dGeometry(8, 3, 224, 224, 16, 3, 3, 2, 2, 1, 1, 1, 1)),
            ("dw 3x3 64 56x56 b8", new Conv2dGeometry(8, 64, 56, 56, 64, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 64)),
        };
        if (!NativeMethods.HasOpenBlas) output.WriteLine($"OpenBLAS reference unavailable ({NativeMethods.OpenBlasError}): ratio column skipped.");
        var table = new ResultTable("case", "pass", "GFLOP", "ours ms", "ours GFLOP/s", "ours GFLOP/CPU-s", "im2col+OpenBLAS GFLOP/s", "ours/ref");
        foreach ((string name, Conv2dGeometry g) in cases)
        {
            float[] x = GemmSuite.Random((int)(g.Batch * g.InChannels * g.InHeight * g.InWidth), 1);
            float[] w = GemmSuite.Random(g.OutChannels * g.GroupInChannels * g.KernelHeight * g.KernelWidth, 2);
            float[] bias = GemmSuite.Random(g.OutChannels, 3);
            float[] y = new float[g.Batch * g.OutChannels * g.OutHeight * g.OutWidth];
            float[] dy = GemmSuite.Random(y.Length, 4);
            float[] dx = new float[x.Length], dw = new float[w.Length], dbias = new float[g.OutChannels];
            double flops = 2.0 * g.Batch * g.OutChannels * g.OutHeight * g.OutWidth * g.GroupInChannels * g.KernelHeight * g.KernelWidth;

            Measurement forward = Timing.Measure(() => Conv2d.Forward(g, x, w, bias, y));
            string reference = "-", ratio = "-";
            if (NativeMethods.HasOpenBlas && g.Groups == 1)
            {
                double blas = Timing.MedianSeconds(() => ReferenceForward(g, x, w, y));
                reference = GemmSuite.Gflops(flops, blas);
                ratio = $"{blas / forward.MedianSeconds:F2}";
            }
            Add(table, name, "forward", flops, forward, reference, ratio);
            Add(table, name, "backward data", flops, Timing.Measure(() => Conv2d.BackwardData(g, dy, w, dx)), "-", "-");
            Add(table, name, "backward filter", flops, Timing.Measure(() => Conv2d.BackwardFilter(g, x, dy, dw, dbias)), "-", "-");
        }
        table.Write(output);
    }

    private static void Add(ResultTable table, string name, string pass, double flops, Measurement m, string reference, string ratio)
        => table.Add(name, pass, $"{flops / 1e9:F2}", GemmSuite.Ms(m.MedianSeconds), GemmSuite.Gflops(flops, m.MedianSeconds),
            GemmSuite.Gflops(flops, m.CpuSecondsPerRun), reference, ratio);

    /// <summary>Per sample: im2col (ours) then one cblas_sgemm, groups == 1.</summary>
    private static unsafe void ReferenceForward(in Conv2dGeometry g, float[] x, float[] w, float[] y)
    {
        int kernelSize = g.InChannels * g.KernelHeight * g.KernelWidth, spatial = g.OutHeight * g.OutWidth;
        int inSample = g.InChannels * g.InHeight * g.InWidth;
        var col = new float[kernelSize * spatial];
        fixed (float* px = x, pcol = col)
        {
            for (int n = 0; n < g.Batch; n++)
            {
                Im2Col.Lower(g, g.InChannels, px + (long)n * inSample, pcol, parallel: true);
                NativeMethods.Sgemm(false, false, g.OutChannels, spatial, kernelSize, 1f, w, kernelSize, col, spatial,
                    0f, y.AsSpan(n * g.OutChannels * spatial, g.OutChannels * spatial), spatial);
            }
        }
    }
}
