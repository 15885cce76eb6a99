using ModelAudit.Analysis.Information;
using ModelAudit.Audit.Running;
using ModelAudit.Estimators;
using ModelAudit.Onnx;
using ModelAudit.Tensors;

namespace ModelAudit.Audit.Streaming;

/// <summary>A reduction of one representation: the reducer and how the report names it.</summary>
/// <param name="How">What the reducer does, e.g. <c>channel-mean</c>.</param>
/// <param name="Reducer">The row reducer.</param>
internal sealed record ReductionPlan(string How, RowReducer Reducer)
{
    /// <summary>Values per reduced sample.</summary>
    public int Width => Reducer.OutputColumns;
}

/// <summary>What the streamed pass keeps of one layer.</summary>
/// <param name="Layer">Tensor name.</param>
/// <param name="Activations">Reduction of T, when the planes are computed.</param>
/// <param name="Conductance">Reduction of C, when the planes and conductance are computed.</param>
/// <param name="HeatmapUnits">Units of the conductance heat map: channels of a map (rank 3 per sample or more), else every value.</param>
/// <param name="HeatmapUnitSize">Values per unit.</param>
internal sealed record LayerPlan(string Layer, ReductionPlan? Activations, ReductionPlan? Conductance, int HeatmapUnits, int HeatmapUnitSize);

/// <summary>
/// What the streamed pass computes per sample, decided once from the spec and the model's layer shapes,
/// and how many samples go through the model together. The same layout is used by every shard.
/// </summary>
internal sealed class StreamLayout
{
    /// <summary>Most bytes of kept layer values per chunk (activations, then conductance sums): sets the chunk size.</summary>
    public const long ChunkBudgetBytes = 256L << 20;

    /// <summary>Most samples per chunk; a chunk is also the unit of progress, cancellation and sharding.</summary>
    public const int MaxSamplesPerChunk = 8;

    /// <summary>Largest reduced store (samples x reduced widths) accepted before any work.</summary>
    public const long ReducedBudgetBytes = 2L << 30;

    private StreamLayout(ReductionPlan? input, IReadOnlyList<LayerPlan> layers, bool conductance, int samplesPerChunk)
    {
        Input = input;
        Layers = layers;
        Conductance = conductance;
        SamplesPerChunk = samplesPerChunk;
    }

    /// <summary>Reduction of the input X, when the planes are computed.</summary>
    public ReductionPlan? Input { get; }

    /// <summary>Per analysed layer, in depth order.</summary>
    public IReadOnlyList<LayerPlan> Layers { get; }

    /// <summary>Whether conductance is streamed.</summary>
    public bool Conductance { get; }

    /// <summary>Samples per chunk: the largest count up to <see cref="MaxSamplesPerChunk"/> whose kept layer values fit <see cref="ChunkBudgetBytes"/>.</summary>
    public int SamplesPerChunk { get; }

    /// <summary>The same layout with another chunk size (tests: results must not depend on it).</summary>
    internal StreamLayout WithSamplesPerChunk(int samples) => new(Input, Layers, Conductance, samples);

    /// <summary>The layout for <paramref name="layers"/> of a model with per-sample input shape <paramref name="sampleShape"/>.</summary>
    /// <param name="layers">Analysed layers with their per-sample shapes.</param>
    /// <param name="sampleShape">Input shape without the batch dimension.</param>
    /// <param name="reduction">The planes' reduction, or null when the planes are not computed.</param>
    /// <param name="projectionDimensions">Columns of a random projection.</param>
    /// <param name="seed">Run seed (projection seeds).</param>
    /// <param name="conductance">Whether conductance is computed.</param>
    /// <param name="samples">Audit samples, to refuse a reduced store that would not fit.</param>
    /// <exception cref="ModelInputException">The reduced store of every sample would exceed <see cref="ReducedBudgetBytes"/>.</exception>
    public static StreamLayout Create(IReadOnlyList<Model.AuditLayer> layers, TensorShape sampleShape, RepresentationReduction? reduction, int projectionDimensions,
        int seed, bool conductance, int samples)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(sampleShape);
        ReductionPlan? Plan(string name, IReadOnlyList<int> shape)
        {
            if (reduction is not { } r) return null;
            var reducer = LayerReduction.For(new TensorShape([1, .. shape]), name, r, projectionDimensions, seed, out var how);
            return new ReductionPlan(how, reducer);
        }

        var input = Plan("input", sampleShape.ToArray());
        var plans = new List<LayerPlan>(layers.Count);
        long keptPerSample = 0;
        long reducedPerSample = input?.Width ?? 0;
        foreach (var layer in layers)
        {
            long width = 1;
            foreach (var d in layer.Shape) width *= d;
            int units = layer.Shape.Count >= 2 ? layer.Shape[0] : (int)width;
            var activations = Plan(layer.Name, layer.Shape);
            var reducedConductance = conductance ? Plan(layer.Name, layer.Shape) : null;
            plans.Add(new LayerPlan(layer.Name, activations, reducedConductance, units, (int)(width / units)));
            keptPerSample += width;
            reducedPerSample += (activations?.Width ?? 0) + (reducedConductance?.Width ?? 0) + (conductance ? 2L * units + 4 : 0);
        }

        long reducedBytes = 4L * reducedPerSample * samples;
        if (reducedBytes > ReducedBudgetBytes)
            throw new ModelInputException(
                $"the reduced per-sample store would take {reducedBytes >> 20} MiB for {samples} samples (limit {ReducedBudgetBytes >> 20} MiB): " +
                "use analyses.planes.reduction: channel_mean or random_projection, fewer layers, or fewer data.samples");
        int perChunk = (int)Math.Clamp(ChunkBudgetBytes / Math.Max(1, 4 * keptPerSample), 1, MaxSamplesPerChunk);
        return new StreamLayout(input, plans, conductance, perChunk);
    }
}
