using System.Globalization;
using ModelAudit.Analysis.Attribution;
using ModelAudit.Audit.Metrics;
using ModelAudit.Audit.Model;
using ModelAudit.Audit.Running;
using ModelAudit.Audit.Spec;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;

namespace ModelAudit.Audit.Steps;

/// <summary>
/// Layer conductance of every analysed layer. The sweep itself runs in the streamed pass (one path sweep per
/// chunk for all layers at once, reduced per sample as it goes); this step turns the per-sample results into
/// each layer's share, worst convergence delta and heat map.
/// </summary>
internal sealed class ConductanceStep : AuditStep<ConductanceSection>
{
    private static readonly string[] Methods = ["gausslegendre", "riemann_trapezoid", "riemann_left", "riemann_right", "riemann_middle"];

    internal sealed record Options(string Method, int Steps, float Baseline, string Target, int InternalBatchSize,
        int TargetAxis = 1, string TargetReduce = "sum", string? FromLayer = null) : IStepOptions
    {
        public IEnumerable<KeyValuePair<string, string>> Describe()
        {
            var inv = CultureInfo.InvariantCulture;
            yield return new("method", Method);
            yield return new("steps", Steps.ToString(inv));
            yield return new("baseline", Baseline.ToString("R", inv));
            yield return new("target", Target);
            yield return new("internal_batch_size", InternalBatchSize.ToString(inv));
            // Only when set, so reports of [N, C] audits read as before.
            if (TargetAxis != 1 || TargetReduce != "sum")
            {
                yield return new("target_axis", TargetAxis.ToString(inv));
                yield return new("target_reduce", TargetReduce);
            }
            if (FromLayer is not null) yield return new("from_layer", FromLayer);
        }

        /// <summary>The output target of <c>target_axis</c> and <c>target_reduce</c>.</summary>
        public OutputTarget OutputTarget => new(TargetAxis, TargetReduce switch
        {
            "mean" => TargetReduction.Mean,
            "flat" => TargetReduction.Flat,
            _ => TargetReduction.Sum,
        });
    }

    public override string Key => "conductance";

    public override string Title => "Layer conductance";

    public override IStepOptions Parse(SpecMapping options, IReadOnlyCollection<string> configured)
    {
        var parsed = new Options(
            options.Enum("method", Methods) ?? "gausslegendre",
            options.Int(OptionRanges.ConductanceSteps),
            (float)(options.Double("baseline", OptionRanges.Value) ?? 0),
            options.Enum("target", "labels", "predicted") ?? "labels",
            options.Int(OptionRanges.InternalBatchSize),
            options.Int(OptionRanges.TargetAxis),
            options.Enum("target_reduce", "sum", "mean", "flat") ?? "sum",
            options.String("from_layer"));
        options.Finish();
        return parsed;
    }

    public override IReadOnlyList<MetricDefinition> Produces(IStepOptions options, IReadOnlyCollection<string> configured) =>
    [
        new("conductance.share", true, "share of the layer in the total mean absolute conductance (layers sum to 1)"),
        new("conductance.delta", true, "largest |convergence delta| over samples: sum of conductance minus F(x) - F(baseline)"),
    ];

    /// <summary>Summarises the streamed conductance: share, convergence delta and heat map per layer.</summary>
    public override ConductanceSection Run(AuditContext context, StepReads reads, IStepOptions options, StepProgress progress, CancellationToken cancellationToken)
    {
        var o = (Options)options;
        var reductions = context.Reductions;
        int n = reductions.Samples;
        // Per-sample sums added in sample order: the same numbers from one run or from merged shards.
        var magnitude = reductions.Layers.Select(l => SumInOrder(l.ConductanceMagnitude!) / n).ToArray();
        double total = 0;
        foreach (var m in magnitude) total += m;
        var share = new List<KeyValuePair<string, double>>();
        var deltas = new List<KeyValuePair<string, double>>();
        var heatmaps = new List<KeyValuePair<string, IReadOnlyList<double>>>();
        for (int l = 0; l < reductions.Layers.Count; l++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var layer = reductions.Layers[l];
            double s = total > 0 ? magnitude[l] / total : 0;
            double delta = layer.ConductanceDelta!.Length == 0 ? 0 : layer.ConductanceDelta.Max();
            share.Add(new(layer.Layer, s));
            deltas.Add(new(layer.Layer, delta));
            heatmaps.Add(new(layer.Layer, Heatmap(layer, n)));
            context.SetMetric("conductance.share", layer.Layer, s);
            context.SetMetric("conductance.delta", layer.Layer, delta);
            progress.Advance();
        }
        return new ConductanceSection(o.Method, o.Steps, share, deltas, heatmaps);
    }

    private static double SumInOrder(double[] values)
    {
        double sum = 0;
        foreach (var v in values) sum += v;
        return sum;
    }

    /// <summary>Mean |C| per channel (maps) or unit, binned into at most <see cref="ConductanceSection.HeatmapUnits"/> columns.</summary>
    internal static IReadOnlyList<double> Heatmap(Streaming.LayerReductions layer, int n)
    {
        int units = layer.HeatmapUnits;
        var sums = layer.ConductanceUnitSums!;
        var unit = new double[units];
        for (int i = 0; i < n; i++)
            for (int u = 0; u < units; u++) unit[u] += sums[i * units + u];
        for (int u = 0; u < units; u++) unit[u] /= (double)n * layer.HeatmapUnitSize;
        int columns = Math.Min(units, ConductanceSection.HeatmapUnits);
        var binned = new double[columns];
        for (int c = 0; c < columns; c++)
        {
            int from = c * units / columns, to = (c + 1) * units / columns;
            double s = 0;
            for (int u = from; u < to; u++) s += unit[u];
            binned[c] = s / (to - from);
        }
        return binned;
    }
}
