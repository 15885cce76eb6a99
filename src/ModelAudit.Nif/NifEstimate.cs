using System.Globalization;

namespace ModelAudit.Nif;

/// <summary>
/// The size of a NIF run, computed from the layer shapes and the options before any forward pass: the
/// selected units per node layer, an upper bound of the edges (every selected unit of a layer connected to
/// every selected unit of the next), the mutual-information estimates that implies, and a time estimate by a
/// stated cost rule (<see cref="EstimatedSeconds"/>).
/// </summary>
public sealed record NifEstimate
{
    /// <summary>
    /// Measured MINE cost per edge and Adam step at H = 16 on the 2-core machine: 26 us at batch 256 (the
    /// benchmark in docs/nif.md) and about 21 us at batch 64 (resnet18_64, 1,040 pairs): the per-pair overhead
    /// dominates, so the rule does not scale with the batch.
    /// </summary>
    public const double MineSecondsPerEdgeStep = 26e-6;

    /// <summary>Measured KSG (k = 3) cost per pair, divided by N log2 N: 3.8 ms per pair at N = 512 (2,080 pairs, 2 cores).</summary>
    public const double KsgSecondsPerSampleLog = 0.8e-6;

    /// <summary>Measured binning (30 bins) cost per pair, divided by N: 0.24 ms per pair at N = 512 (2,080 pairs, 2 cores).</summary>
    public const double BinningSecondsPerSample = 0.5e-6;

    /// <summary>Node count per node layer (input, selected layers, classes) after the unit selection.</summary>
    public required IReadOnlyList<int> SelectedUnits { get; init; }

    /// <summary>Per consecutive layer pair: selected units of the earlier layer times those of the later one.</summary>
    public required IReadOnlyList<long> PairEdgeBounds { get; init; }

    /// <summary>Per layer pair: the estimator the bound implies (<c>mine</c>, <c>ksg</c> or <c>binning</c>).</summary>
    public required IReadOnlyList<string> PairEstimators { get; init; }

    /// <summary>Upper bound of the edges over all layer pairs (what <see cref="EdgeBudget"/> limits).</summary>
    public long EdgeUpperBound => PairEdgeBounds.Sum();

    /// <summary>Mutual-information estimates at most: edges, null pairs and (beta &gt; 0) redundancy pairs.</summary>
    public required long Estimations { get; init; }

    /// <summary>Backward passes of the connectivity search at most: selected later-layer units per pair, times the chunks.</summary>
    public required long BackwardPasses { get; init; }

    /// <summary>
    /// Estimated seconds of the flow estimation (not the connectivity passes, whose cost depends on the model):
    /// per pair, MINE estimations x steps x <see cref="MineSecondsPerEdgeStep"/> x (H / 16);
    /// KSG estimations x N log2 N x <see cref="KsgSecondsPerSampleLog"/>; binning estimations x N x <see cref="BinningSecondsPerSample"/>.
    /// </summary>
    public required double EstimatedSeconds { get; init; }

    /// <summary>The edge budget the bound was checked against.</summary>
    public required long EdgeBudget { get; init; }

    /// <summary>One line for logs: edges, budget, estimates and time.</summary>
    public string Describe()
    {
        var inv = CultureInfo.InvariantCulture;
        return string.Create(inv, $"{PairEdgeBounds.Count} layer pairs, at most {EdgeUpperBound:N0} edges (budget {EdgeBudget:N0}), ")
            + string.Create(inv, $"{Estimations:N0} estimates, {BackwardPasses:N0} backward passes, estimated {EstimatedSeconds:F1} s of flow estimation");
    }

    /// <summary>The estimate for node layers of <paramref name="unitCounts"/> units (input, layers, classes).</summary>
    internal static NifEstimate Compute(IReadOnlyList<int> unitCounts, int samples, int chunks, NifOptions options)
    {
        var selected = unitCounts.Select(u => options.MaxUnits == 0 ? u : Math.Min(u, options.MaxUnits)).ToArray();
        var bounds = new long[selected.Length - 1];
        var kinds = new string[bounds.Length];
        long estimations = 0, backward = 0;
        double seconds = 0;
        for (int l = 0; l < bounds.Length; l++)
        {
            bounds[l] = (long)selected[l] * selected[l + 1];
            long count = bounds[l] + Math.Min(options.NullPairs, bounds[l]);
            if (options.Beta != 0) count += (long)selected[l] * (selected[l] - 1) / 2;
            estimations += count;
            backward += (long)selected[l + 1] * chunks;
            var kind = options.Estimator == FlowEstimator.Auto
                ? (bounds[l] <= options.MaxMineEdges ? FlowEstimator.Mine : FlowEstimator.Ksg)
                : options.Estimator;
            kinds[l] = kind switch { FlowEstimator.Mine => "mine", FlowEstimator.Ksg => "ksg", _ => "binning" };
            seconds += kind switch
            {
                FlowEstimator.Mine => count * options.Mine.Steps * MineSecondsPerEdgeStep * (options.Mine.Hidden / 16.0),
                FlowEstimator.Ksg => count * samples * Math.Log2(Math.Max(2, samples)) * KsgSecondsPerSampleLog,
                _ => count * samples * BinningSecondsPerSample,
            };
        }
        return new NifEstimate
        {
            SelectedUnits = selected,
            PairEdgeBounds = bounds,
            PairEstimators = kinds,
            Estimations = estimations,
            BackwardPasses = backward,
            EstimatedSeconds = seconds,
            EdgeBudget = options.MaxEdges,
        };
    }
}
