using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Benchmarks;

/// <summary>Square SGEMM GFLOP/s, ours against OpenBLAS cblas_sgemm in the same process.</summary>
public sealed class GemmSuite : IBenchmarkSuite
{
    public string Name => "gemm";

    public void Run(TextWriter output)
    {
        if (!NativeMethods.HasOpenBlas) output.WriteLine($"OpenBLAS reference unavailable ({NativeMethods.OpenBlasError}): ratio column skipped.");
        var table = new ResultTable("size", "ours ms", "ours GFLOP/s", "ours GFLOP/CPU-s", "OpenBLAS ms", "OpenBLAS GFLOP/s", "OpenBLAS GFLOP/CPU-s", "ours/OpenBLAS");
        foreach (int size in new[] { 256, 512, 1024, 2048 })
        {
            float[] a = Random(size * size, 1), b = Random(size * size, 2), c = new float[size * size];
            double flops = 2.0 * size * size * size;
            Measurement ours = Timing.Measure(() => Sgemm.Multiply(false, false, size, size, size, 1f, a, size, b, size, 0f, c, size));
            if (NativeMethods.HasOpenBlas)
            {
                Measurement blas = Timing.Measure(() => NativeMethods.Sgemm(false, false, size, size, size, 1f, a, size, b, size, 0f, c, size));
                table.Add($"{size}", Ms(ours.MedianSeconds), Gflops(flops, ours.MedianSeconds), Gflops(flops, ours.CpuSecondsPerRun),
                    Ms(blas.MedianSeconds), Gflops(flops, blas.MedianSeconds), Gflops(flops, blas.CpuSecondsPerRun), $"{blas.MedianSeconds / ours.MedianSeconds:F2}");
            }
            else
            {
                table.Add($"{size}", Ms(ours.MedianSeconds), Gflops(flops, ours.MedianSeconds), Gflops(flops, ours.CpuSecondsPerRun), "-", "-", "-", "-");
            }
        }
        table.Write(output);
    }

    internal static string Ms(double seconds) => $"{seconds * 1e3:F2}";

    internal static string Gflops(double flops, double seconds) => $"{flops / seconds / 1e9:F1}";

    internal static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)random.NextDouble() * 2 - 1;
        return values;
    }
}
