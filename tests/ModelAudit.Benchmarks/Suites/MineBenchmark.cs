using System.Diagnostics;
using ModelAudit.Nif;

namespace ModelAudit.Benchmarks;

/// <summary>
/// Batched MINE for every edge of a 64 x 64 layer pair (4096 statistics networks, H = 16), 500 Adam steps of
/// batch 256 (+256 shuffled marginal rows) on 2048 samples of a random ReLU layer; the bar is 60 s on 2 cores.
/// </summary>
public sealed class MineBenchmark : IBenchmarkSuite
{
    private const int Units = 64;
    private const int Samples = 2048;

    public string Name => "mine";

    public void Run(TextWriter output)
    {
        var (x, y) = LayerPair();
        var columnsX = new List<float[]>();
        var columnsY = new List<float[]>();
        for (int i = 0; i < Units; i++)
        {
            for (int k = 0; k < Units; k++)
            {
                columnsX.Add(x[i]);
                columnsY.Add(y[k]);
            }
        }
        var options = new MineOptions();
        var mine = new BatchedMine(options);
        var start = Stopwatch.GetTimestamp();
        var estimates = mine.Estimate(columnsX, columnsY, seed: 0);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long edgeSteps = (long)columnsX.Count * options.Steps;

        var table = new ResultTable("MINE, 4096 edges x 500 steps, batch 256, H 16", "value");
        table.Add("wall time (s), first call in process", $"{seconds:F2}");
        table.Add("time per edge-step (us)", $"{seconds / edgeSteps * 1e6:F3}");
        table.Add("mean estimate (bits)", $"{estimates.Average():F4}");
        table.Add("max estimate (bits)", $"{estimates.Max():F4}");
        table.Write(output);
    }

    /// <summary>Standardised columns of x ~ N(0, I) and y = relu(x W) with W ~ N(0, 1/64), both [units][samples].</summary>
    private static (float[][] X, float[][] Y) LayerPair()
    {
        var raw = GemmSuite.Random(Samples * Units, 7);
        var w = GemmSuite.Random(Units * Units, 8);
        var x = new float[Units][];
        var y = new float[Units][];
        for (int i = 0; i < Units; i++)
        {
            x[i] = new float[Samples];
            for (int n = 0; n < Samples; n++) x[i][n] = raw[n * Units + i];
        }
        for (int k = 0; k < Units; k++)
        {
            y[k] = new float[Samples];
            for (int n = 0; n < Samples; n++)
            {
                double s = 0;
                for (int i = 0; i < Units; i++) s += x[i][n] * w[i * Units + k] / 8.0;
                y[k][n] = (float)Math.Max(s, 0);
            }
            Standardise(y[k]);
        }
        return (x, y);
    }

    private static void Standardise(float[] column)
    {
        double mean = column.Average(v => (double)v);
        double sd = Math.Sqrt(column.Average(v => (v - mean) * (v - mean)));
        for (int n = 0; n < column.Length; n++) column[n] = (float)((column[n] - mean) / sd);
    }
}
