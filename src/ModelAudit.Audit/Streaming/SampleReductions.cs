namespace ModelAudit.Audit.Streaming;

/// <summary>Per-sample rows of one reduced representation: <see cref="Values"/> is [samples, <see cref="Width"/>] row-major.</summary>
/// <param name="How">What reduction made them (<c>channel-mean</c>, <c>random-projection(64)</c>, <c>none</c>).</param>
/// <param name="Width">Values per sample.</param>
/// <param name="Values">Row-major values.</param>
internal sealed record ReducedRows(string How, int Width, float[] Values);

/// <summary>
/// What the streamed pass keeps of one layer, per sample: only reduced rows and per-sample numbers, never a
/// full map. Null members were not asked for by the configured analyses.
/// </summary>
internal sealed class LayerReductions
{
    /// <summary>Tensor name.</summary>
    public required string Layer { get; init; }

    /// <summary>Reduced activations T (planes).</summary>
    public ReducedRows? Activations { get; init; }

    /// <summary>Reduced conductance C (planes with conductance).</summary>
    public ReducedRows? Conductance { get; init; }

    /// <summary>Per sample: sum of |C| over the layer (conductance share).</summary>
    public double[]? ConductanceMagnitude { get; init; }

    /// <summary>Per sample: |convergence delta| of the layer's conductance.</summary>
    public double[]? ConductanceDelta { get; init; }

    /// <summary>Units per sample in <see cref="ConductanceUnitSums"/>: channels of a map, else every value.</summary>
    public int HeatmapUnits { get; init; }

    /// <summary>Values of the layer per unit (spatial size), to turn unit sums into means.</summary>
    public int HeatmapUnitSize { get; init; }

    /// <summary>Per sample and unit: sum of |C| over the unit's positions, [samples, <see cref="HeatmapUnits"/>].</summary>
    public double[]? ConductanceUnitSums { get; init; }
}

/// <summary>
/// The per-sample results of the streamed pass over the audit samples (or a shard's slice of them): what every
/// later analysis reads instead of full feature maps. Memory is samples x reduced width, not samples x maps.
/// </summary>
internal sealed class SampleReductions
{
    /// <summary>Samples held (rows of every array).</summary>
    public required int Samples { get; init; }

    /// <summary>The model's predicted class per sample.</summary>
    public required long[] Predicted { get; init; }

    /// <summary>The reduced input X (planes), or null.</summary>
    public ReducedRows? Input { get; init; }

    /// <summary>Per analysed layer, in depth order.</summary>
    public required IReadOnlyList<LayerReductions> Layers { get; init; }

    /// <summary>Allocates arrays for <paramref name="samples"/> samples in the layout <paramref name="layout"/> describes.</summary>
    public static SampleReductions Allocate(int samples, StreamLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return new SampleReductions
        {
            Samples = samples,
            Predicted = new long[samples],
            Input = layout.Input is { } input ? new ReducedRows(input.How, input.Width, new float[samples * input.Width]) : null,
            Layers = [.. layout.Layers.Select(l => new LayerReductions
            {
                Layer = l.Layer,
                Activations = l.Activations is { } a ? new ReducedRows(a.How, a.Width, new float[samples * a.Width]) : null,
                Conductance = l.Conductance is { } c ? new ReducedRows(c.How, c.Width, new float[samples * c.Width]) : null,
                ConductanceMagnitude = layout.Conductance ? new double[samples] : null,
                ConductanceDelta = layout.Conductance ? new double[samples] : null,
                HeatmapUnits = l.HeatmapUnits,
                HeatmapUnitSize = l.HeatmapUnitSize,
                ConductanceUnitSums = layout.Conductance ? new double[samples * l.HeatmapUnits] : null,
            })],
        };
    }

    /// <summary>Joins slices in sample order (the parts of a sharded run).</summary>
    public static SampleReductions Concatenate(IReadOnlyList<SampleReductions> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var first = parts[0];
        static ReducedRows? Rows(IEnumerable<ReducedRows?> rows)
        {
            var list = rows.ToList();
            return list[0] is { } head ? new ReducedRows(head.How, head.Width, [.. list.SelectMany(r => r!.Values)]) : null;
        }
        static T[]? Join<T>(IEnumerable<T[]?> arrays)
        {
            var list = arrays.ToList();
            return list[0] is null ? null : [.. list.SelectMany(a => a!)];
        }
        return new SampleReductions
        {
            Samples = parts.Sum(p => p.Samples),
            Predicted = [.. parts.SelectMany(p => p.Predicted)],
            Input = Rows(parts.Select(p => p.Input)),
            Layers = [.. first.Layers.Select((l, i) => new LayerReductions
            {
                Layer = l.Layer,
                Activations = Rows(parts.Select(p => p.Layers[i].Activations)),
                Conductance = Rows(parts.Select(p => p.Layers[i].Conductance)),
                ConductanceMagnitude = Join(parts.Select(p => p.Layers[i].ConductanceMagnitude)),
                ConductanceDelta = Join(parts.Select(p => p.Layers[i].ConductanceDelta)),
                HeatmapUnits = l.HeatmapUnits,
                HeatmapUnitSize = l.HeatmapUnitSize,
                ConductanceUnitSums = Join(parts.Select(p => p.Layers[i].ConductanceUnitSums)),
            })],
        };
    }
}
