using System.Text;
using ModelAudit.Audit.Model;
using ModelAudit.Audit.Spec;
using ModelAudit.Reporting.Html;
using ModelAudit.Reporting.Json;
using ModelAudit.Reporting.Text;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Reporting;

/// <summary>
/// Writes the report files to a folder atomically: every file is staged under a temporary name first and
/// all are renamed into place only when all are written, so a cancelled or failed run leaves no partial
/// report. Refuses to overwrite the baseline.
/// </summary>
public static class ReportWriter
{
    /// <summary>report.json.</summary>
    public const string JsonFile = "report.json";

    /// <summary>report.html.</summary>
    public const string HtmlFile = "report.html";

    /// <summary>summary.md.</summary>
    public const string MarkdownFile = "summary.md";

    /// <summary>junit.xml.</summary>
    public const string JUnitFile = "junit.xml";

    /// <summary>The files a run with these outputs writes, as full paths.</summary>
    public static IReadOnlyList<string> Targets(string directory, OutputSpec outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var files = new List<string> { JsonFile };
        if (outputs.Html) files.Add(HtmlFile);
        if (outputs.Markdown) files.Add(MarkdownFile);
        if (outputs.JUnit) files.Add(JUnitFile);
        return [.. files.Select(f => Path.GetFullPath(Path.Combine(directory, f)))];
    }

    /// <summary>Throws when a target would replace <paramref name="baseline"/>.</summary>
    /// <exception cref="IOException">The output folder holds the baseline under a report file name.</exception>
    public static void CheckBaseline(IReadOnlyList<string> targets, string? baseline)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (baseline is null) return;
        var full = Path.GetFullPath(baseline);
        if (targets.Any(t => string.Equals(t, full, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal)))
            throw new IOException($"{baseline}: the output would overwrite the baseline; choose another --out folder");
    }

    /// <summary>Writes the files; returns their paths.</summary>
    public static IReadOnlyList<string> Write(AuditReport report, string directory, OutputSpec outputs, string? baseline, HtmlReportRenderer? renderer,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var targets = Targets(directory, outputs);
        CheckBaseline(targets, baseline);
        Directory.CreateDirectory(directory);
        var staged = new List<StagedFile>();
        try
        {
            foreach (var target in targets)
            {
                cancellationToken.ThrowIfCancellationRequested();
                staged.Add(StagedFile.Write(target, stream =>
                {
                    switch (Path.GetFileName(target))
                    {
                        case JsonFile: ReportJsonWriter.Write(stream, report); break;
                        case HtmlFile: Utf8(stream, (renderer ?? HtmlReportRenderer.Default).Render(report)); break;
                        case MarkdownFile: Utf8(stream, MarkdownSummary.Render(report)); break;
                        default: JUnitReport.Write(stream, report); break;
                    }
                }));
            }
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var file in staged) file.Commit();
            return targets;
        }
        finally
        {
            foreach (var file in staged) file.Dispose();
        }
    }

    private static void Utf8(Stream stream, string text)
    {
        var bytes = new UTF8Encoding(false).GetBytes(text);
        stream.Write(bytes);
    }
}
