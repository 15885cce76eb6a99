using System.Globalization;
using ModelAudit.Audit.Model;

namespace ModelAudit.Reporting;

/// <summary>How every human-readable report prints numbers, metric titles and marks (invariant culture).</summary>
internal static class ReportFormat
{
    /// <summary>Short column titles of the known per-layer families; other families are shown by name.</summary>
    private static readonly Dictionary<string, string> Titles = new(StringComparer.Ordinal)
    {
        ["conductance.share"] = "share", ["conductance.delta"] = "delta", ["plane.activation.entropy"] = "H(T)", ["plane.activation.i_xt"] = "I(X;T)",
        ["plane.activation.i_ty"] = "I(T;Y)", ["plane.activation.i_ty_null"] = "I(T;Y) null", ["plane.conductance.i_xc"] = "I(X;C)",
        ["plane.conductance.i_cy"] = "I(C;Y)", ["plane.conductance.i_cy_null"] = "I(C;Y) null", ["ite.efficiency"] = "ITE", ["ite.compression"] = "ITE C",
        ["ite.preservation"] = "ITE P", ["ite.usefulness"] = "ITE U",
    };

    /// <summary>Display order of the known families; others follow in ordinal order.</summary>
    private static readonly string[] Order = [.. Titles.Keys];

    /// <summary>The per-layer families of a report in display order.</summary>
    public static IReadOnlyList<string> LayerFamilies(AuditReport report)
    {
        var present = report.Layers.SelectMany(l => l.Metrics.Select(m => m.Family)).ToHashSet(StringComparer.Ordinal);
        return [.. Order.Where(present.Contains).Concat(present.Where(f => !Titles.ContainsKey(f)).Order(StringComparer.Ordinal))];
    }

    /// <summary>A family's short title.</summary>
    public static string Title(string family) => Titles.GetValueOrDefault(family, family);

    /// <summary>Five significant digits, "–" for undefined.</summary>
    public static string Number(double? v) => v is { } x ? x.ToString("G5", CultureInfo.InvariantCulture) : "–";

    /// <summary>A signed delta ("+0.012"), empty when undefined.</summary>
    public static string Delta(double? d) => d is { } x ? (x >= 0 ? "+" : "") + Number(x) : "";

    /// <summary>A share as a percentage ("12.5%"), empty when undefined.</summary>
    public static string Percent(double? share) => share is { } s && double.IsFinite(s) ? (s * 100).ToString("G3", CultureInfo.InvariantCulture) + "%" : share is not null ? "∞" : "";

    /// <summary>" ≈ chance" after an I(T;Y) or I(C;Y) within its label-shuffle null (docs/analysis.md), else nothing.</summary>
    public static string ChanceMark(AuditReport report, string layer, string family)
    {
        var point = report.Planes?.Points.FirstOrDefault(p => p.Layer == layer);
        bool chance = family switch
        {
            "plane.activation.i_ty" => point is { ActivationLabelAboveChance: false },
            "plane.conductance.i_cy" => point is { ConductanceLabelAboveChance: false },
            _ => false,
        };
        return chance ? " ≈ chance" : "";
    }

    /// <summary>A status as words for tables.</summary>
    public static string Status(MetricStatus status) => status switch
    {
        MetricStatus.NoBaseline => "",
        MetricStatus.New => "new",
        MetricStatus.Unchanged => "unchanged",
        MetricStatus.Changed => "changed",
        MetricStatus.Improved => "improved",
        MetricStatus.Worsened => "worse (within limit)",
        _ => "regressed",
    };
}
