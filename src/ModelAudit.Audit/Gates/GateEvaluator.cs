using System.Globalization;
using ModelAudit.Audit.Metrics;
using ModelAudit.Audit.Model;
using ModelAudit.Audit.Spec;

namespace ModelAudit.Audit.Gates;

/// <summary>
/// Evaluates gates: absolute bounds on the run's value, and worsening against the baseline's value of the
/// same expression. A missing value fails with a message; a missing baseline is stated in the message.
/// </summary>
public static class GateEvaluator
{
    /// <summary>A metric expression's value over a set of layers and metric values; null with a reason when missing.</summary>
    public static double? Evaluate(MetricExpression metric, IReadOnlyList<string> layers, MetricTable metrics, out string missing)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(metrics);
        missing = "";
        if (metric.Selector is null)
        {
            if (metrics.TryGet(metric.Family, null, out var v) && v is not null) return v;
            missing = metrics.Contains(metric.Family) ? $"{metric.Family} is undefined" : $"{metric.Family} is not in the report";
            return null;
        }
        var matched = metric.Match(layers);
        if (matched.Count == 0)
        {
            missing = $"no layer matches [{metric.Selector}]";
            return null;
        }
        var values = new List<double>();
        var undefined = new List<string>();
        foreach (var layer in matched)
        {
            if (metrics.TryGet(metric.Family, layer, out var v) && v is { } value) values.Add(value);
            else undefined.Add(layer);
        }
        if (metric.Aggregate is null && undefined.Count > 0 || values.Count == 0)
        {
            missing = $"{metric.Family} has no value for {string.Join(", ", undefined)}";
            return null;
        }
        if (undefined.Count > 0) missing = $"skipped layers without a value: {string.Join(", ", undefined)}";
        return metric.Aggregate switch
        {
            MetricAggregate.Min => values.Min(),
            MetricAggregate.Max => values.Max(),
            MetricAggregate.Mean => values.Sum() / values.Count,
            _ => values[0],
        };
    }

    /// <summary>Evaluates one gate.</summary>
    /// <param name="gate">The gate.</param>
    /// <param name="layers">The run's layers.</param>
    /// <param name="metrics">The run's metrics.</param>
    /// <param name="baseline">The baseline, or null when none was given.</param>
    public static GateResult Evaluate(GateSpec gate, IReadOnlyList<string> layers, MetricTable metrics, BaselineReport? baseline)
    {
        ArgumentNullException.ThrowIfNull(gate);
        var inv = CultureInfo.InvariantCulture;
        var failures = new List<string>();
        var notes = new List<string>();
        var value = Evaluate(gate.Metric, layers, metrics, out var runNote);
        if (value is null) failures.Add($"metric missing from this run: {runNote}");
        else if (runNote.Length > 0) notes.Add(runNote);

        if (value is { } v)
        {
            if (gate.Min is { } min && v < min) failures.Add($"{F(v)} is below min {F(min)}");
            if (gate.Max is { } max && v > max) failures.Add($"{F(v)} is above max {F(max)}");
        }

        double? baseValue = null;
        if (baseline is not null)
        {
            baseValue = Evaluate(gate.Metric, baseline.Layers, baseline.Metrics, out var baseNote);
            if (baseValue is null && gate.MaxRegression is not null) failures.Add($"metric missing from the baseline: {baseNote}");
        }
        if (gate.MaxRegression is { } limit)
        {
            if (baseline is null) notes.Add("no baseline given: regression not checked");
            else if (value is { } now && baseValue is { } before)
            {
                double worsening = gate.Direction == MetricDirection.HigherIsBetter ? before - now : now - before;
                if (limit.Absolute is { } a && worsening > a) failures.Add($"worsened by {F(worsening)} vs baseline {F(before)} (allowed {F(a)})");
                if (limit.Relative is { } r && worsening > r * Math.Abs(before))
                    failures.Add($"worsened by {(before == 0 ? "inf" : (worsening / Math.Abs(before) * 100).ToString("G4", inv))}% vs baseline {F(before)} (allowed {(r * 100).ToString("G4", inv)}%)");
            }
        }

        var status = failures.Count == 0 ? GateStatus.Pass : gate.Severity == GateSeverity.Error ? GateStatus.Fail : GateStatus.Warn;
        string message = failures.Count > 0
            ? $"{gate.Metric}: {string.Join("; ", failures)}"
            : $"{gate.Metric} = {F(value!.Value)}, bound {BoundText(gate)}";
        if (notes.Count > 0) message += " (" + string.Join("; ", notes) + ")";
        return new GateResult(gate, value, baseValue, status, message);

        static string F(double x) => x.ToString("G6", CultureInfo.InvariantCulture);
    }

    private static string BoundText(GateSpec gate) => new GateResult(gate, null, null, GateStatus.Pass, "").BoundText;
}
