using System.Globalization;
using ModelAudit.Analysis.Attribution;
using ModelAudit.Audit.Metrics;
using ModelAudit.Audit.Model;
using ModelAudit.Audit.Running;
using ModelAudit.Audit.Spec;
using ModelAudit.Tensors;

namespace ModelAudit.Audit.Steps;

/// <summary>
/// Layer conductance of every analysed layer in one path sweep per chunk of samples. Chunks of
/// <see cref="SamplesPerChunk"/> samples give progress; each sample's conductance depends only on that sample.
/// </summary>
internal sealed class ConductanceStep : IAuditStep
{
    internal const int SamplesPerChunk = 8;

    private static readonly string[] Methods = ["gausslegendre", "riemann_trapezoid", "riemann_left", "riemann_right", "riemann_middle"];

    internal sealed record Options(string Method, int Steps, float Baseline, string Target, int InternalBatchSize) : IStepOptions
    {
        public IEnumerable<KeyValuePair<string, string>> Describe()
        {
            var inv = CultureInfo.InvariantCulture;
            yield return new("method", Method);
            yield return new("steps", Steps.ToString(inv));
            yield return new("baseline", Baseline.ToString("R", inv));
            yield return new("target", Target);
            yield return new("internal_batch_size", InternalBatchSize.ToString(inv));
        }
    }

    public string Key => "conductance";

    public string Title => "Layer conductance";

    public IStepOptions Parse(SpecMapping options, IReadOnlyCollection<string> configured)
    {
        var parsed = new Options(
            options.Enum("method", Methods) ?? "gausslegendre",
            options.Int(OptionRanges.ConductanceSteps),
            (float)(options.Double("baseline", OptionRanges.Value) ?? 0),
            options.Enum("target", "labels", "predicted") ?? "labels",
            options.Int(OptionRanges.InternalBatchSize));
        options.Finish();
        return parsed;
    }

    public IReadOnlyList<MetricDefinition> Produces(IStepOptions options, IReadOnlyCollection<string> configured) =>
    [
        new("conductance.share", true, "share of the layer in the total mean absolute conductance (layers sum to 1)"),
        new("conductance.delta", true, "largest |convergence delta| over samples: sum of conductance minus F(x) - F(baseline)"),
    ];

    public void Run(AuditContext context, IStepOptions options, StepProgress progress, CancellationToken cancellationToken)
    {
        var o = (Options)options;
        var targets = o.Target == "predicted" ? context.Predicted : context.Y;
        var conductance = new LayerConductance(context.Model, new PathIntegralOptions(IntegrationRule.ParseMethod(o.Method), o.Steps, o.InternalBatchSize));
        int n = context.Inputs.Shape[0];
        int sampleSize = context.Inputs.Length / n;
        var inputs = context.Inputs.ToArray();
        var values = context.Layers.ToDictionary(l => l, _ => new List<float>(), StringComparer.Ordinal);
        var shapes = new Dictionary<string, int[]>(StringComparer.Ordinal);
        var maxDelta = context.Layers.ToDictionary(l => l, _ => 0.0, StringComparer.Ordinal);
        for (int first = 0; first < n; first += SamplesPerChunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(SamplesPerChunk, n - first);
            var dims = context.Inputs.Shape.ToArray();
            dims[0] = count;
            using var chunk = Tensor.FromArray(inputs.AsSpan(first * sampleSize, count * sampleSize).ToArray(), dims);
            var result = conductance.Compute(chunk, targets.AsSpan(first, count), [o.Baseline], context.Layers, cancellationToken);
            foreach (var (layer, attribution) in result.Layers)
            {
                values[layer].AddRange(attribution.Values.ToArray());
                shapes[layer] = attribution.Values.Shape.ToArray();
                maxDelta[layer] = Math.Max(maxDelta[layer], attribution.MaxAbsDelta);
                attribution.Values.Dispose();
            }
            progress.Advance(count);
        }

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var layer in context.Layers)
        {
            var dims = shapes[layer];
            dims[0] = n;
            tensors[layer] = Tensor.FromArray(values[layer].ToArray(), dims);
        }
        context.Conductance = tensors;

        var magnitude = context.Layers.Select(l => MeanAbsoluteSum(tensors[l])).ToArray();
        double total = magnitude.Sum();
        var share = new List<KeyValuePair<string, double>>();
        for (int l = 0; l < context.Layers.Count; l++)
        {
            double s = total > 0 ? magnitude[l] / total : 0;
            share.Add(new(context.Layers[l], s));
            context.SetMetric("conductance.share", context.Layers[l], s);
            context.SetMetric("conductance.delta", context.Layers[l], maxDelta[context.Layers[l]]);
        }
        context.ConductanceSection = new ConductanceSection(o.Method, o.Steps, share,
            [.. context.Layers.Select(l => KeyValuePair.Create(l, maxDelta[l]))],
            [.. context.Layers.Select(l => KeyValuePair.Create(l, Heatmap(tensors[l])))]);
    }

    /// <summary>Mean over samples of sum |C| (the share formula of InformationAnalysis).</summary>
    private static double MeanAbsoluteSum(Tensor values)
    {
        double sum = 0;
        foreach (var v in values.Span) sum += Math.Abs(v);
        return sum / values.Shape[0];
    }

    /// <summary>Mean |C| per channel (rank 4) or unit, binned into at most <see cref="ConductanceSection.HeatmapUnits"/> columns.</summary>
    internal static IReadOnlyList<double> Heatmap(Tensor values)
    {
        int n = values.Shape[0];
        int units = values.Shape.Rank >= 3 ? values.Shape[1] : values.Length / n;
        int per = values.Length / (n * units);
        var span = values.Span;
        var unit = new double[units];
        for (int i = 0; i < n; i++)
            for (int u = 0; u < units; u++)
                for (int k = 0; k < per; k++) unit[u] += Math.Abs(span[(i * units + u) * per + k]);
        for (int u = 0; u < units; u++) unit[u] /= (double)n * per;
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
