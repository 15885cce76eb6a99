using System.Diagnostics;
using MathNet.Numerics.LinearAlgebra;
using ModelAudit.Estimators;

namespace ModelAudit.Benchmarks;

/// <summary>
/// Matrix-based Renyi entropy at N = 1000, d = 4096 (the budget is 5 s on 2 cores): the first call in the process,
/// warm medians of the estimator and of its two phases, and MathNet's managed symmetric EVD for comparison.
/// </summary>
public sealed class RenyiBenchmark : IBenchmarkSuite
{
    private const int Samples = 1000;
    private const int Features = 4096;

    public string Name => "renyi";

    public void Run(TextWriter output)
    {
        var x = new SampleMatrix(GemmSuite.Random(Samples * Features, 1), Samples, Features);
        var labels = Enumerable.Range(0, Samples).Select(i => i % 10).ToArray();
        var renyi = new RenyiEstimator();

        var start = Stopwatch.GetTimestamp();
        renyi.Entropy(x);
        var firstCall = Stopwatch.GetElapsedTime(start).TotalSeconds;

        var table = new ResultTable("N x d = 1000 x 4096", "seconds");
        table.Add("Entropy, first call in process", $"{firstCall:F3}");
        table.Add("Entropy, warm median", $"{Timing.MedianSeconds(() => renyi.Entropy(x), minRepetitions: 3, budgetSeconds: 0):F3}");
        table.Add("I(X;labels), warm median", $"{Timing.MedianSeconds(() => renyi.MutualInformation(x, labels), minRepetitions: 3, budgetSeconds: 0):F3}");
        table.Add("  squared distances (Gram)", $"{Timing.MedianSeconds(() => SquaredDistances.Compute(x), minRepetitions: 3, budgetSeconds: 0):F3}");

        var gram = SquaredDistances.Compute(x);
        for (var i = 0; i < gram.Length; i++)
        {
            gram[i] = Math.Exp(-gram[i] / Features) / Samples;
        }

        table.Add("  eigenvalues (ours)", $"{Timing.MedianSeconds(() => SymmetricEigenvalues.Compute((double[])gram.Clone(), Samples), minRepetitions: 3, budgetSeconds: 0):F3}");
        var dense = Matrix<double>.Build.Dense(Samples, Samples, (i, j) => gram[i * Samples + j]);
        table.Add("  eigenvalues (MathNet managed Evd)", $"{Timing.MedianSeconds(() => dense.Evd(Symmetricity.Symmetric), minRepetitions: 1, budgetSeconds: 0):F3}");
        table.Write(output);
    }
}
