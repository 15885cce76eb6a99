using System.Globalization;
using ModelAudit.Audit.Model;
using Spectre.Console;

namespace ModelAudit.Cli;

/// <summary>The final gate table: a Spectre.Console table on a terminal, aligned text otherwise.</summary>
internal static class GateTable
{
    public static void Plain(AuditReport report, TextWriter output)
    {
        if (report.Gates.Count == 0)
        {
            output.WriteLine("gates: none");
            return;
        }
        output.WriteLine("gates:");
        foreach (var g in report.Gates)
            output.WriteLine($"  {g.StatusName.ToUpperInvariant(),-4}  {g.Gate.Metric}  value {F(g.Value)}  baseline {F(g.BaselineValue)}  {g.Message}");
    }

    public static void Spectre(AuditReport report)
    {
        var table = new Table().AddColumns("Status", "Metric", "Value", "Baseline", "Delta", "Bound", "Message");
        foreach (var g in report.Gates)
        {
            string colour = g.Status switch { GateStatus.Pass => "green", GateStatus.Warn => "yellow", _ => "red" };
            table.AddRow($"[{colour}]{g.StatusName}[/]", Markup.Escape(g.Gate.Metric.ToString()), F(g.Value), F(g.BaselineValue),
                g.Delta is { } d ? (d >= 0 ? "+" : "") + F(d) : "", Markup.Escape(g.BoundText), Markup.Escape(g.Message));
        }
        AnsiConsole.Write(table);
    }

    private static string F(double? v) => v is { } x ? x.ToString("G5", CultureInfo.InvariantCulture) : "-";
}
