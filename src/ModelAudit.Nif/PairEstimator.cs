using ModelAudit.Estimators;

namespace ModelAudit.Nif;

/// <summary>
/// Mutual information of many scalar pairs with one estimator: MINE batched over all pairs (standardised
/// columns), or KSG / binning per pair. Every value is in bits and unclipped.
/// </summary>
internal sealed class PairEstimator(FlowEstimator kind, MineOptions mine)
{
    public FlowEstimator Kind { get; } = kind is FlowEstimator.Auto ? throw new ArgumentException("Resolve Auto first.", nameof(kind)) : kind;

    public string Name => Kind switch
    {
        FlowEstimator.Mine => "mine",
        FlowEstimator.Ksg => "ksg",
        _ => "binning",
    };

    /// <summary>I(x_e; y_e) for every pair; columns are raw values, shared between pairs where equal.</summary>
    public double[] Estimate(IReadOnlyList<float[]> x, IReadOnlyList<float[]> y, int seed, CancellationToken cancellationToken)
    {
        if (x.Count == 0) return [];
        switch (Kind)
        {
            case FlowEstimator.Mine:
                var standard = new Dictionary<float[], float[]>(ReferenceEqualityComparer.Instance);
                float[] Standardised(float[] column)
                {
                    if (!standard.TryGetValue(column, out var z)) standard[column] = z = Standardise(column);
                    return z;
                }
                var xs = x.Select(Standardised).ToArray();
                var ys = y.Select(Standardised).ToArray();
                return new BatchedMine(mine).Estimate(xs, ys, seed, cancellationToken);
            default:
                IMutualInformationEstimator estimator = Kind == FlowEstimator.Ksg ? new KsgEstimator(new KsgOptions(Seed: seed)) : new BinningEstimator();
                var result = new double[x.Count];
                // Pairs are independent and each writes its own slot: the result does not depend on scheduling. At most
                // one pair per core is in flight, so a cancel waits for at most that many estimates to finish (the thread
                // pool would otherwise have grown to many threads, each mid-estimate, on a busy machine).
                var parallel = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
                Parallel.For(0, x.Count, parallel, e =>
                {
                    int n = x[e].Length;
                    result[e] = estimator.MutualInformation(new SampleMatrix(x[e], n, 1), new SampleMatrix(y[e], n, 1));
                });
                return result;
        }
    }

    /// <summary>(v - mean) / sd in double precision; the caller never passes a constant column.</summary>
    internal static float[] Standardise(float[] column)
    {
        double mean = 0;
        foreach (var v in column) mean += v;
        mean /= column.Length;
        double ss = 0;
        foreach (var v in column) ss += (v - mean) * (v - mean);
        double sd = Math.Sqrt(ss / column.Length);
        var z = new float[column.Length];
        for (int i = 0; i < z.Length; i++) z[i] = (float)((column[i] - mean) / sd);
        return z;
    }
}
