using System.Text;
using ModelAudit.Audit.Model;
using ModelAudit.Audit.Spec;
using ModelAudit.Reporting.Html;
using ModelAudit.Reporting.Json;
using ModelAudit.Reporting.Text;

namespace ModelAudit.Reporting;

/// <summary>
/// The registry of report formats: report.json (always; it is the next run's baseline), report.html,
/// summary.md and junit.xml as the spec's outputs ask, then any registered extra format, in that order.
/// </summary>
public static class ReportRenderers
{
    private static readonly List<Func<IReportRenderer>> Extra = [];
    private static readonly Lock Gate = new();

    /// <summary>Adds a format to every later run.</summary>
    public static void Register(Func<IReportRenderer> factory)
    {
        lock (Gate) Extra.Add(factory);
    }

    /// <summary>The renderers for a run; <paramref name="html"/> overrides the HTML templates (the embedded ones when null).</summary>
    public static IReadOnlyList<IReportRenderer> Create(HtmlReportRenderer? html = null)
    {
        var renderers = new List<IReportRenderer>
        {
            new Renderer(ReportWriter.JsonFile, _ => true, ReportJsonWriter.Write),
            new Renderer(ReportWriter.HtmlFile, o => o.Html, (s, r) => Utf8(s, (html ?? HtmlReportRenderer.Default).Render(r))),
            new Renderer(ReportWriter.MarkdownFile, o => o.Markdown, (s, r) => Utf8(s, MarkdownSummary.Render(r))),
            new Renderer(ReportWriter.JUnitFile, o => o.JUnit, JUnitReport.Write),
        };
        lock (Gate) renderers.AddRange(Extra.Select(f => f()));
        return renderers;
    }

    private static void Utf8(Stream stream, string text) => stream.Write(new UTF8Encoding(false).GetBytes(text));

    private sealed class Renderer(string fileName, Func<OutputSpec, bool> enabled, Action<Stream, AuditReport> write) : IReportRenderer
    {
        public string FileName => fileName;

        public bool IsEnabled(OutputSpec outputs) => enabled(outputs);

        public void Write(Stream stream, AuditReport report) => write(stream, report);
    }
}
