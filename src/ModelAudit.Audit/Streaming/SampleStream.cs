using ModelAudit.Analysis;
using ModelAudit.Analysis.Attribution;
using ModelAudit.Audit.Running;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;

namespace ModelAudit.Audit.Streaming;

/// <summary>Conductance settings of the streamed pass.</summary>
/// <param name="Options">Method, steps and rows per pass (0 = chosen from <see cref="ModelExecution.ChunkBudgetBytes"/>).</param>
/// <param name="Baseline">Baseline input value.</param>
/// <param name="PredictedTarget">Explain the predicted class instead of Y.</param>
internal sealed record StreamConductance(PathIntegralOptions Options, float Baseline, bool PredictedTarget);

/// <summary>
/// The one pass over the samples that touches full feature maps: chunk by chunk, a forward pass keeps the
/// analysed layers, conductance sweeps the path for every layer at once, and each chunk's maps are reduced to
/// per-sample rows (<see cref="SampleReductions"/>) and freed before the next chunk. Memory is the model, one
/// chunk's maps and sweep, and samples x reduced width.
/// </summary>
internal sealed class SampleStream(ModelExecution model, StreamLayout layout, StreamConductance? conductance, long runtimeValuesPerSample)
{
    /// <summary>
    /// Rows (samples x path points) per forward+backward of the sweep: <c>internal_batch_size</c>, or when it is 0 the rows
    /// whose recorded values, gradients and scratch fit <see cref="ModelExecution.ChunkBudgetBytes"/>.
    /// </summary>
    public int RowsPerPass => conductance is null ? 0
        : conductance.Options.InternalBatchSize > 0 ? conductance.Options.InternalBatchSize
        : ModelExecution.RowsWithinBudget(runtimeValuesPerSample, layout.SamplesPerChunk * (conductance.Options.Steps + 1));

    /// <summary>Streams samples [<paramref name="first"/>, <paramref name="first"/> + <paramref name="count"/>) of <paramref name="inputs"/>.</summary>
    /// <param name="inputs">All audit samples, [N, sample shape...].</param>
    /// <param name="labels">Y per audit sample, or null to use the prediction.</param>
    /// <param name="first">First sample (a multiple of the chunk size).</param>
    /// <param name="count">Samples to stream.</param>
    /// <param name="progress">Advanced by the samples of each chunk.</param>
    /// <param name="cancellationToken">Checked between chunks and between the sweep's passes.</param>
    public SampleReductions Run(Tensor inputs, long[]? labels, int first, int count, StepProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(progress);
        var store = SampleReductions.Allocate(count, layout);
        var layerNames = layout.Layers.Select(l => l.Layer).ToList();
        var attribution = conductance is null ? null
            : new LayerConductance(model, conductance.Options with { InternalBatchSize = RowsPerPass });
        // Chunks of the layout's size (the unit of sharding), the short last one at its own size: the reductions are per
        // sample, so any chunking gives the same numbers.
        model.ForEachChunk(inputs.Span, first, count, layout.SamplesPerChunk, ChunkPadding.None, chunk =>
        {
            int offset = chunk.First - first, chunkSize = chunk.Count;
            Forward(chunk, store, offset, layerNames);
            if (attribution is null) return;
            var targets = new long[chunkSize];
            for (int s = 0; s < chunkSize; s++)
                targets[s] = conductance!.PredictedTarget || labels is null ? store.Predicted[offset + s] : labels[chunk.First + s];
            var result = attribution.Compute(chunk.Batch, targets, [conductance!.Baseline], layerNames, cancellationToken);
            for (int l = 0; l < layerNames.Count; l++)
            {
                var layer = result.Layers[layerNames[l]];
                ReduceConductance(layer, layout.Layers[l], store.Layers[l], offset, chunkSize);
                layer.Values.Dispose();
            }
        }, p => progress.Advance(p.Samples), cancellationToken);
        return store;
    }

    /// <summary>One forward of the chunk: predicted classes, reduced input and reduced activations.</summary>
    private void Forward(ModelChunk chunk, SampleReductions store, int offset, List<string> layerNames)
    {
        int count = chunk.Count;
        if (layout.Input is { } input)
            input.Reducer.Reduce(chunk.Batch.Span, count, store.Input!.Values.AsSpan(offset * input.Width, count * input.Width));
        var ids = layerNames.Select(chunk.Plan.Resolve).ToArray();
        bool keepLayers = layout.Layers.Any(l => l.Activations is not null);
        using var pass = chunk.Forward(keepLayers ? [.. ids, chunk.OutputId] : [chunk.OutputId]);
        var logits = pass[chunk.OutputId];
        // With an output target (a sequence or dense output), the predicted class is the arg max of its scores.
        if (conductance?.Options.Target is { } target) target.Predicted(logits.Shape, logits.Span).CopyTo(store.Predicted, offset);
        else AttributionTarget.Predicted(logits.Span, logits.Length / count).CopyTo(store.Predicted, offset);
        if (!keepLayers) return;
        for (int l = 0; l < ids.Length; l++)
        {
            var reduction = layout.Layers[l].Activations!;
            reduction.Reducer.Reduce(pass[ids[l]].Span, count, store.Layers[l].Activations!.Values.AsSpan(offset * reduction.Width, count * reduction.Width));
        }
    }

    /// <summary>Per sample: reduced C, sum |C|, |delta| and sum |C| per unit; in double, sample by sample, so any chunking gives the same numbers.</summary>
    private static void ReduceConductance(LayerAttribution attribution, LayerPlan plan, LayerReductions target, int offset, int count)
    {
        var values = attribution.Values.Span;
        if (plan.Conductance is { } reduction)
            reduction.Reducer.Reduce(values, count, target.Conductance!.Values.AsSpan(offset * reduction.Width, count * reduction.Width));
        int units = plan.HeatmapUnits, per = plan.HeatmapUnitSize;
        for (int s = 0; s < count; s++)
        {
            double total = 0;
            for (int u = 0; u < units; u++)
            {
                double sum = 0;
                foreach (var v in values.Slice((s * units + u) * per, per)) sum += Math.Abs(v);
                target.ConductanceUnitSums![(offset + s) * units + u] = sum;
                total += sum;
            }
            target.ConductanceMagnitude![offset + s] = total;
            target.ConductanceDelta![offset + s] = Math.Abs((double)attribution.ConvergenceDelta[s]);
        }
    }
}
