using System.Globalization;
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
        head.AppendLine(report.Baseline is { } b ? $"Baseline: `{Cell(Path.GetFileName(b.Path))}` (sha256 `{b.Sha256[..12]}`)" : "Baseline: none given (regression checks were not run).");
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
        var families = report.Metrics.Keys.Where(k => k.Contains('[', StringComparison.Ordinal)).Select(k => k[..k.IndexOf('[', StringComparison.Ordinal)]).Distinct().Order(StringComparer.Ordinal).ToList();
        details.AppendLine("| Layer | " + string.Join(" | ", families) + " |");
        details.AppendLine("|---|" + string.Concat(families.Select(_ => "---:|")));
        foreach (var l in report.Layers)
            details.AppendLine($"| `{Cell(l.Name)}` | " + string.Join(" | ", families.Select(f => F(report.Metrics.GetValueOrDefault($"{f}[{l.Name}]")) + Html.HtmlReportRenderer.ChanceMark(report, l.Name, f))) + " |");
        details.AppendLine();
        foreach (var (k, v) in report.Metrics.Where(m => !m.Key.Contains('[', StringComparison.Ordinal))) details.AppendLine($"- `{k}` = {F(v)}");
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

    private static string F(double? v) => v is { } x ? x.ToString("G5", CultureInfo.InvariantCulture) : "–";

    private static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
