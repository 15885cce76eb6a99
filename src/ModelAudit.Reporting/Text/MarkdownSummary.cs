using System.Text;
using ModelAudit.Audit.Model;

namespace ModelAudit.Reporting.Text;

/// <summary>
/// summary.md for <c>$GITHUB_STEP_SUMMARY</c>: outcome, the gate table, then details in collapsed
/// <c>&lt;details&gt;</c> blocks. Kept under <see cref="MaxBytes"/> (GitHub's step-summary limit is 1 MiB):
/// per-layer details are cut, with a note, when they would not fit.
/// </summary>
public static class MarkdownSummary
{
    /// <summary>Upper bound on the UTF-8 size.</summary>
    public const int MaxBytes = 1000 * 1024;

    /// <summary>The Markdown text.</summary>
    public static string Render(AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var head = new StringBuilder();
        int failed = report.Gates.Count(g => g.Status == GateStatus.Fail), warned = report.Gates.Count(g => g.Status == GateStatus.Warn);
        head.AppendLine($"## Model audit: {(report.Passed ? "✅ passed" : "❌ failed")}");
        head.AppendLine();
        head.AppendLine($"`{Cell(Path.GetFileName(report.SpecFile))}` · {report.Gates.Count} gates, {failed} failed, {warned} warnings · {report.Samples} samples · model sha256 `{report.Model.Sha256[..12]}`");
        if (report.Baseline is { } b)
        {
            head.AppendLine($"Baseline: `{Cell(Path.GetFileName(b.Path))}` (sha256 `{b.Sha256[..12]}`)");
            head.AppendLine();
            var changes = report.Changes();
            if (changes.Count == 0) head.AppendLine("### What changed\n\nNo metric moved against the baseline.");
            else
            {
                head.AppendLine($"### What changed ({changes.Count} metrics moved; regressions first)");
                head.AppendLine();
                head.AppendLine("| Metric | Layer | Baseline | Value | Delta | Allowance used | Status |");
                head.AppendLine("|---|---|---:|---:|---:|---:|---|");
                foreach (var c in changes.Take(MaxChanges))
                    head.AppendLine($"| `{Cell(c.Reading.Family)}` | {(c.Layer is null ? "" : $"`{Cell(c.Layer)}`")} | {F(c.Reading.BaselineValue)} | {F(c.Reading.Value)} | {Delta(c.Reading)} | {ReportFormat.Percent(c.Reading.AllowanceUsed)} | {Badge(c.Reading.Status)} |");
                if (changes.Count > MaxChanges) head.AppendLine($"\n_{changes.Count - MaxChanges} smaller changes are in the per-layer table._");
            }
        }
        else head.AppendLine("Baseline: none given (regression checks were not run).");
        head.AppendLine();
        foreach (var warning in report.Warnings) head.AppendLine($"> ⚠️ {Cell(warning)}");
        if (report.Warnings.Count > 0) head.AppendLine();
        if (report.Gates.Count > 0)
        {
            head.AppendLine("| Status | Metric | Value | Baseline | Delta | Bound | Message |");
            head.AppendLine("|---|---|---:|---:|---:|---|---|");
            foreach (var g in report.Gates)
            {
                string badge = g.Status switch { GateStatus.Pass => "✅ pass", GateStatus.Warn => "⚠️ warn", _ => "❌ fail" };
                head.AppendLine($"| {badge} | `{Cell(g.Gate.Metric.ToString())}` | {F(g.Value)} | {F(g.BaselineValue)} | {(g.Delta is { } d ? (d >= 0 ? "+" : "") + F(d) : "")} | {Cell(g.BoundText)} | {Cell(g.Message)} |");
            }
        }
        else head.AppendLine("The spec has no gates.");
        head.AppendLine();

        var details = new StringBuilder();
        details.AppendLine("<details><summary>Metrics per layer</summary>");
        details.AppendLine();
        var families = ReportFormat.LayerFamilies(report);
        if (report.Baseline is null)
        {
            details.AppendLine("| Layer | " + string.Join(" | ", families) + " |");
            details.AppendLine("|---|" + string.Concat(families.Select(_ => "---:|")));
            foreach (var l in report.Layers)
                details.AppendLine($"| `{Cell(l.Name)}` | " + string.Join(" | ", families.Select(f => F(l.Metric(f)?.Value) + ReportFormat.ChanceMark(report, l.Name, f))) + " |");
            details.AppendLine();
            foreach (var s in report.Scalars) details.AppendLine($"- `{s.Family}` = {F(s.Value)}");
        }
        else
        {
            // Value beside baseline: one row per layer and metric, so a regressed layer is one line to find.
            details.AppendLine("| Layer | Metric | Value | Baseline | Delta | Status |");
            details.AppendLine("|---|---|---:|---:|---:|---|");
            foreach (var l in report.Layers)
                foreach (var f in families)
                    if (l.Metric(f) is { } m)
                        details.AppendLine($"| `{Cell(l.Name)}` | `{f}` | {Mark(m, F(m.Value) + ReportFormat.ChanceMark(report, l.Name, f))} | {F(m.BaselineValue)} | {Mark(m, Delta(m))} | {Badge(m.Status)} |");
            foreach (var s in report.Scalars)
                details.AppendLine($"| | `{s.Family}` | {Mark(s, F(s.Value))} | {F(s.BaselineValue)} | {Mark(s, Delta(s))} | {Badge(s.Status)} |");
        }
        details.AppendLine();
        details.AppendLine("</details>");
        if (report.Planes is { Dpi.Count: > 0 } planes)
        {
            details.AppendLine();
            details.AppendLine($"<details><summary>DPI findings ({planes.Dpi.Count})</summary>");
            details.AppendLine();
            foreach (var d in planes.Dpi) details.AppendLine($"- {d.Quantity}: `{Cell(d.Earlier)}` {F(d.EarlierValue)} → `{Cell(d.Later)}` {F(d.LaterValue)} bits (margin {F(d.Margin)})");
            details.AppendLine();
            details.AppendLine("</details>");
        }

        string full = head.ToString() + details;
        if (Encoding.UTF8.GetByteCount(full) <= MaxBytes) return full;
        return head + "_Details omitted: they would exceed the 1 MiB step-summary limit; see report.html._\n";
    }

    /// <summary>Most rows of the "What changed" table.</summary>
    internal const int MaxChanges = 15;

    private static string F(double? v) => ReportFormat.Number(v);

    private static string Delta(MetricReading r) => ReportFormat.Delta(r.Delta);

    /// <summary>Bold for a regression beyond a gate's allowance.</summary>
    private static string Mark(MetricReading r, string text) => r.Status == MetricStatus.Regressed && text.Length > 0 ? $"**{text}**" : text;

    private static string Badge(MetricStatus status) => status switch
    {
        MetricStatus.Regressed => "❌ regressed",
        MetricStatus.Worsened => "⚠️ worse (within limit)",
        MetricStatus.Improved => "✅ improved",
        _ => ReportFormat.Status(status),
    };

    private static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
