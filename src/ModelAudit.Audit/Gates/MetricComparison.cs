using ModelAudit.Audit.Model;
using ModelAudit.Audit.Spec;

namespace ModelAudit.Audit.Gates;

/// <summary>
/// Puts every metric of a run beside the baseline's value and says how it moved: the direction and allowed
/// regression come from the gates on the same family (a per-layer value is judged against the gate's limit on
/// its own, so the report can point at the layer that moved a <c>mean(...)</c> gate).
/// </summary>
public static class MetricComparison
{
    /// <summary>The reading of one value.</summary>
    /// <param name="family">Metric family.</param>
    /// <param name="layer">Layer, or null for a scalar.</param>
    /// <param name="value">This run's value.</param>
    /// <param name="baseline">The baseline, or null when none was given.</param>
    /// <param name="gates">The spec's gates.</param>
    public static MetricReading Read(string family, string? layer, double? value, BaselineReport? baseline, IReadOnlyList<GateSpec> gates)
    {
        ArgumentNullException.ThrowIfNull(gates);
        if (baseline is null) return new MetricReading(family, value, null, MetricStatus.NoBaseline);
        if (!baseline.Metrics.TryGet(family, layer, out var before)) return new MetricReading(family, value, null, MetricStatus.New);
        if (value == before) return new MetricReading(family, value, before, MetricStatus.Unchanged);
        var covering = gates.Where(g => Covers(g, family, layer)).ToList();
        if (covering.Count == 0 || value is not { } now || before is not { } then) return new MetricReading(family, value, before, MetricStatus.Changed);
        double worsening = covering[0].Direction == MetricDirection.HigherIsBetter ? then - now : now - then;
        if (worsening <= 0) return new MetricReading(family, value, before, MetricStatus.Improved);
        double? used = null;
        foreach (var gate in covering)
        {
            if (gate.MaxRegression is not { } limit) continue;
            double allowed = Math.Min(limit.Absolute ?? double.PositiveInfinity, limit.Relative is { } r ? r * Math.Abs(then) : double.PositiveInfinity);
            double share = allowed > 0 ? worsening / allowed : double.PositiveInfinity;
            used = used is { } u ? Math.Max(u, share) : share;
        }
        return new MetricReading(family, value, before, used > 1 ? MetricStatus.Regressed : MetricStatus.Worsened) { AllowanceUsed = used };
    }

    /// <summary>Every layer with its readings, and the scalar readings, of a run.</summary>
    public static (IReadOnlyList<AuditLayer> Layers, IReadOnlyList<MetricReading> Scalars) Compare(IReadOnlyList<AuditLayer> layers, MetricTable metrics,
        BaselineReport? baseline, IReadOnlyList<GateSpec> gates)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(metrics);
        var families = metrics.LayerFamilies.ToList();
        var read = layers.Select(l => l with
        {
            Metrics = [.. families.Where(f => metrics.Contains(f, l.Name)).Select(f => Read(f, l.Name, metrics.Value(f, l.Name), baseline, gates))],
        }).ToList();
        var scalars = metrics.Scalars.Select(s => Read(s.Key, null, s.Value, baseline, gates)).ToList();
        return (read, scalars);
    }

    /// <summary>Whether the gate's metric is this family at this layer (or this scalar).</summary>
    public static bool Covers(GateSpec gate, string family, string? layer)
    {
        ArgumentNullException.ThrowIfNull(gate);
        if (gate.Metric.Family != family) return false;
        if (layer is null) return gate.Metric.Selector is null;
        return gate.Metric.Selector is not null && gate.Metric.Match([layer]).Count == 1;
    }
}
