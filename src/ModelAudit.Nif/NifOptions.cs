using ModelAudit.Graphs;

namespace ModelAudit.Nif;

/// <summary>What a NIF analysis computes, and how.</summary>
public sealed record NifOptions
{
    /// <summary>ONNX tensor names of the hidden layers whose units become nodes, in network order (the input features and output classes are always nodes).</summary>
    public IReadOnlyList<string> Layers { get; init; } = [];

    /// <summary>Estimator of the edge flows.</summary>
    public FlowEstimator Estimator { get; init; } = FlowEstimator.Auto;

    /// <summary>With <see cref="FlowEstimator.Auto"/>, layer pairs with at most this many edges use MINE, larger ones KSG.</summary>
    public int MaxMineEdges { get; init; } = 4096;

    /// <summary>Weight of the redundancy term: flow(i->k) = I(x_i; q_k) - beta * sum over j &lt; i of I(x_i; x_j).</summary>
    public double Beta { get; init; }

    /// <summary>Louvain resolution (gamma).</summary>
    public double Resolution { get; init; } = 1.0;

    /// <summary>How flows become path lengths for betweenness.</summary>
    public EdgeLength Length { get; init; } = EdgeLength.InverseWeight;

    /// <summary>Seed of every random choice (MINE batches, shuffles and initial weights, null pairs, Louvain order).</summary>
    public int Seed { get; init; }

    /// <summary>MINE settings.</summary>
    public MineOptions Mine { get; init; } = new();

    /// <summary>Shuffled (independent) pairs per layer pair whose largest estimate is the pair's noise floor.</summary>
    public int NullPairs { get; init; } = 16;

    /// <summary>Compare the NIF attribution with raw MI and integrated gradients (needs labels).</summary>
    public bool CompareAttributions { get; init; } = true;

    /// <summary>Integrated-gradients steps (Gauss-Legendre) for the comparison.</summary>
    public int IntegratedGradientSteps { get; init; } = 32;

    /// <summary>Where to write the pruned model as a new .onnx file (null: not written; needs labels).</summary>
    public string? PrunedModelPath { get; init; }

    /// <summary>The shape of one sample (the data's shape without the batch), for models with free dimensions; null = the input's declared dimensions.</summary>
    public IReadOnlyList<int>? SampleShape { get; init; }

    /// <summary>
    /// Nodes per node layer (input features, each layer, classes) at most; a wider layer keeps the units whose
    /// per-sample value varies most over the audit samples (ties to the lower index). 0 keeps every unit.
    /// </summary>
    public int MaxUnits { get; init; } = DefaultMaxUnits;

    /// <summary>
    /// Edge budget: a run whose upper bound of edges (selected units of each layer times those of the next,
    /// summed over layer pairs) exceeds it is refused before any work.
    /// </summary>
    public long MaxEdges { get; init; } = DefaultMaxEdges;

    /// <summary>Default of <see cref="MaxUnits"/>.</summary>
    public const int DefaultMaxUnits = 32;

    /// <summary>Default of <see cref="MaxEdges"/>.</summary>
    public const long DefaultMaxEdges = 20_000;

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, or the edge budget is not positive.</exception>
    internal void Validate()
    {
        Mine.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(MaxUnits);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxEdges);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxMineEdges);
        ArgumentOutOfRangeException.ThrowIfNegative(NullPairs);
    }
}
