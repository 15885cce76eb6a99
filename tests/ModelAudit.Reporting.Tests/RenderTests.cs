using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ModelAudit.Audit.Model;
using ModelAudit.Audit.Spec;
using ModelAudit.Reporting.Html;
using ModelAudit.Reporting.Svg;
using ModelAudit.Reporting.Text;

namespace ModelAudit.Reporting.Tests;

public sealed partial class RenderTests(ReportFixture fixture, Xunit.Abstractions.ITestOutputHelper log) : IClassFixture<ReportFixture>, IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("render-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void Html_Digits_HasEveryPlotAndNoExternalReferences()
    {
        var html = HtmlReportRenderer.Default.Render(fixture.Digits);
        string[] expected = ["plot-plane-activation", "plot-plane-conductance", "plot-dpi", "plot-ite", "plot-conductance-share", "plot-attribution-heatmap", "plot-nif-graph", "plot-nif-attribution"];
        Assert.Equal(expected, Plots.For(fixture.Digits).Select(p => p.Id));
        foreach (var id in expected) Assert.Contains($"<svg id=\"{id}-svg\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(ExternalReference(), html);
        // Parses as XML after the doctype: every element closed, attributes quoted.
        XDocument.Parse(html.Replace("<!DOCTYPE html>", "", StringComparison.Ordinal).Replace("<meta charset=\"utf-8\">", "<meta charset=\"utf-8\"/>", StringComparison.Ordinal)
            .Replace("initial-scale=1\">", "initial-scale=1\"/>", StringComparison.Ordinal));
    }

    [Fact]
    public void Html_PlanePlot_OnePointPerLayerWithSpreadBars()
    {
        var svg = Plots.For(fixture.Digits).Single(p => p.Id == "plot-plane-activation").Svg;
        Assert.Equal(3, CircleCount().Matches(svg).Count);
        Assert.Contains("1. /relu1/Relu_output_0: (", svg, StringComparison.Ordinal);
        Assert.Contains("3. /relu3/Relu_output_0: (", svg, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(svg, "<polyline"));
    }

    [Fact]
    public void Html_LayerNamesAreEncoded()
    {
        var report = ReportFixture.Synthetic(3, GateStatus.Fail);
        var hostile = new AuditReport
        {
            ToolVersion = report.ToolVersion, SpecFile = "<script>alert(1)</script>.yaml", ResolvedSpec = report.ResolvedSpec, Model = report.Model, Data = report.Data,
            Seed = 0, Samples = 1, LabelSource = "labels", Layers = [new AuditLayer("<img src=x onerror=alert(1)>", "Relu", [1])],
            Scalars = [], Metrics = new MetricTable(), Analyses = [], Gates = report.Gates, Timings = [],
        };
        var html = HtmlReportRenderer.Default.Render(hostile);
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.Contains("<code>&lt;img src", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_FiftyLayers_UnderTwoMegabytes()
    {
        var report = ReportFixture.Synthetic(50, GateStatus.Pass, GateStatus.Fail, GateStatus.Warn);
        var html = HtmlReportRenderer.Default.Render(report);
        int bytes = Encoding.UTF8.GetByteCount(html);
        log.WriteLine($"50-layer report.html: {bytes} bytes");
        Assert.True(bytes < 2 * 1024 * 1024, $"{bytes} bytes");
        Assert.Contains("<svg id=\"plot-nif-graph-svg\"", html, StringComparison.Ordinal);
        Assert.Contains("<svg id=\"plot-nif-attribution-svg\"", html, StringComparison.Ordinal);
        Assert.Equal(50 * 64, Regex.Matches(Plots.Heatmap(report.Conductance!.Heatmap, "h", "heat map", "unit", false), "<rect [^>]*><title>").Count);
    }

    [Fact]
    public void Html_TemplateOverride_UsesTheFolderAndKeepsEmbeddedPartials()
    {
        File.WriteAllText(Path.Combine(_temp, "layout.sbn-html"), "<p>{{ outcome }} {{ spec_name }}</p>{{ partial \"gates\" }}");
        var html = new HtmlReportRenderer(ReportTemplates.FromDirectory(_temp)).Render(ReportFixture.Synthetic(2, GateStatus.Fail));
        Assert.StartsWith("<p>failed synthetic.yaml</p>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge fail\">fail</span>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_GateTableThenDetails_UnderLimitEvenForHugeReports()
    {
        var md = MarkdownSummary.Render(fixture.Digits);
        Assert.StartsWith("## Model audit: ✅ passed", md, StringComparison.Ordinal);
        Assert.True(md.IndexOf("| Status | Metric |", StringComparison.Ordinal) < md.IndexOf("<details>", StringComparison.Ordinal));
        Assert.Equal(fixture.Digits.Gates.Count, Regex.Matches(md, @"^\| (✅ pass|⚠️ warn|❌ fail) \|", RegexOptions.Multiline).Count);
        var huge = MarkdownSummary.Render(ReportFixture.Synthetic(20000, GateStatus.Fail));
        Assert.True(Encoding.UTF8.GetByteCount(huge) < 1024 * 1024);
        Assert.Contains("_Details omitted", huge, StringComparison.Ordinal);
        Assert.StartsWith("## Model audit: ❌ failed", huge, StringComparison.Ordinal);
    }

    [Fact]
    public void JUnit_OneTestCasePerGate_FailuresCounted()
    {
        var report = ReportFixture.Synthetic(3, GateStatus.Pass, GateStatus.Fail, GateStatus.Warn, GateStatus.Fail);
        using var stream = new MemoryStream();
        JUnitReport.Write(stream, report);
        stream.Position = 0;
        var xml = XDocument.Load(stream);
        var cases = xml.Descendants("testcase").ToList();
        Assert.Equal(4, cases.Count);
        Assert.Equal("2", xml.Root!.Attribute("failures")!.Value);
        Assert.Equal([false, true, false, true], cases.Select(c => c.Element("failure") is not null));
        Assert.Equal("warning: gate 2: 2 is above max 1, 50% worse", cases[2].Element("system-out")!.Value);
        Assert.Equal("21", cases[1].Attribute("line")!.Value);
    }

    [Fact]
    public void Annotations_AtMostTenWorstFirstAtGateLines()
    {
        var statuses = Enumerable.Range(0, 14).Select(i => i % 2 == 0 ? GateStatus.Warn : GateStatus.Fail).Append(GateStatus.Pass).ToArray();
        var lines = GitHubAnnotations.Lines(ReportFixture.Synthetic(2, statuses));
        Assert.Equal(10, lines.Count);
        Assert.All(lines.Take(7), l => Assert.StartsWith("::error file=specs/synthetic.yaml,line=", l, StringComparison.Ordinal));
        Assert.All(lines.Skip(7), l => Assert.StartsWith("::warning ", l, StringComparison.Ordinal));
        Assert.Equal("::error file=specs/synthetic.yaml,line=21,col=5,title=model-audit gate dpi.violations::gate 1: 2 is above max 1, 50%25 worse", lines[0]);
    }

    [Fact]
    public void Writer_OutputWouldReplaceBaseline_RefusedAndNothingWritten()
    {
        var baseline = Path.Combine(_temp, "report.json");
        File.WriteAllText(baseline, "{}");
        var outputs = new OutputSpec(_temp, true, true, true);
        var e = Assert.Throws<IOException>(() => ReportWriter.Write(fixture.Digits, _temp, outputs, baseline, null, CancellationToken.None));
        Assert.Equal($"{baseline}: the output would overwrite the baseline; choose another --out folder", e.Message);
        Assert.Equal("{}", File.ReadAllText(baseline));
        Assert.Equal(["report.json"], Directory.GetFileSystemEntries(_temp).Select(Path.GetFileName));
    }

    [Fact]
    public void Writer_Cancelled_LeavesNoFiles()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var dir = Path.Combine(_temp, "out");
        Assert.Throws<OperationCanceledException>(() => ReportWriter.Write(fixture.Digits, dir, new OutputSpec(dir, true, true, true), null, null, cancelled.Token));
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void Writer_AllOutputs_WritesFourFiles()
    {
        var files = ReportWriter.Write(fixture.Digits, _temp, new OutputSpec(_temp, true, true, true), null, null, CancellationToken.None);
        Assert.Equal(["report.json", "report.html", "summary.md", "junit.xml"], files.Select(Path.GetFileName));
        Assert.Equal(["junit.xml", "report.html", "report.json", "summary.md"], Directory.GetFiles(_temp).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [GeneratedRegex("(?:src|href)\\s*=|url\\(|@import|https?://(?!www\\.w3\\.org/2000/svg\")")]
    private static partial Regex ExternalReference();

    [GeneratedRegex("<circle [^>]*><title>")]
    private static partial Regex CircleCount();
}
