using System.CommandLine;
using System.Globalization;
using ModelAudit.Audit.Gates;
using ModelAudit.Audit.Model;
using ModelAudit.Reporting.Json;

namespace ModelAudit.Cli;

/// <summary>
/// <c>diff BASELINE.json CANDIDATE.json</c>: per-metric changes, then the candidate's gates evaluated against
/// the baseline. Exit 2 when an error-severity gate would fail, 0 otherwise, 3 for unreadable reports.
/// </summary>
internal static class DiffCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var baseline = new Argument<string>("baseline") { Description = "The baseline report.json." };
        var candidate = new Argument<string>("candidate") { Description = "The candidate report.json." };
        var all = new Option<bool>("--all") { Description = "List unchanged metrics too." };
        var command = new Command("diff", "Compare two report.json files: metric changes and the gates that would fail.") { baseline, candidate, all };
        // Unreadable reports (ReportFormatException) reach Program.Run: one line, exit 3.
        command.SetAction((parse, cancellationToken) =>
        {
            var before = ReportJsonReader.Read(parse.GetRequiredValue(baseline));
            cancellationToken.ThrowIfCancellationRequested();
            var after = ReportJsonReader.Read(parse.GetRequiredValue(candidate));
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(Run(before, after, parse.GetValue(all), output));
        });
        return command;
    }

    private static int Run(ReportDocument before, ReportDocument after, bool all, TextWriter output)
    {
        var keys = before.Baseline.Metrics.Entries().Concat(after.Baseline.Metrics.Entries()).Select(e => (e.Family, e.Layer)).Distinct()
            .OrderBy(k => new MetricEntry(k.Family, k.Layer, null).ToString(), StringComparer.Ordinal).ToList();
        int changed = 0;
        output.WriteLine("metrics (baseline -> candidate):");
        foreach (var (family, layer) in keys)
        {
            var key = new MetricEntry(family, layer, null).ToString();
            bool inBefore = before.Baseline.Metrics.TryGet(family, layer, out var b);
            bool inAfter = after.Baseline.Metrics.TryGet(family, layer, out var a);
            string line;
            if (!inBefore) line = $"  + {key}  {F(a)}  (new)";
            else if (!inAfter) line = $"  - {key}  {F(b)}  (removed)";
            else if (a == b)
            {
                if (!all) continue;
                line = $"    {key}  {F(a)}";
            }
            else line = $"  ~ {key}  {F(b)} -> {F(a)}  ({(a is { } x && b is { } y ? (x - y >= 0 ? "+" : "") + F(x - y) : "undefined")})";
            if (!line.StartsWith("    ", StringComparison.Ordinal)) changed++;
            output.WriteLine(line);
        }
        if (changed == 0) output.WriteLine("  no metric changed");

        var results = after.Gates.Select(g => GateEvaluator.Evaluate(g, after.Baseline.Layers, after.Baseline.Metrics, before.Baseline)).ToList();
        int failing = results.Count(r => r.Status == GateStatus.Fail);
        output.WriteLine($"gates of the candidate against this baseline: {results.Count}, {failing} would fail");
        foreach (var r in results.Where(r => r.Status != GateStatus.Pass))
            output.WriteLine($"  {r.StatusName.ToUpperInvariant()}  {after.SpecFile}({r.Gate.Mark.Line},{r.Gate.Mark.Column}): {r.Message}");
        return failing > 0 ? ExitCodes.GateFailed : ExitCodes.Ok;
    }

    private static string F(double? v) => v is { } x ? x.ToString("G6", CultureInfo.InvariantCulture) : "undefined";
}
