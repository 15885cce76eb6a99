using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ModelAudit.Audit.Model;
using ModelAudit.Reporting.Html;
using ModelAudit.Reporting.Json;
using ModelAudit.Reporting.Svg;
using ModelAudit.Reporting.Text;

namespace ModelAudit.Reporting.Tests;

/// <summary>
/// The digits audit run against a baseline that differs in known ways: relu3's ITE efficiency was 0.05 higher (a
/// regression beyond the 10% allowance of the mean(ite.efficiency[*]) gate, judged on the layer alone) and relu1's
/// conductance share 0.01 higher (no gate says which way is better). Built once: it runs the audit.
/// </summary>
public sealed class BaselineRunFixture : IDisposable
{
    public const string Relu1 = "/relu1/Relu_output_0", Relu3 = "/relu3/Relu_output_0";

    private readonly string _temp = Directory.CreateTempSubdirectory("baseline-run").FullName;

    public BaselineRunFixture()
    {
        var current = ReportFixture.RunDigits();
        Efficiency = current.Layers.Single(l => l.Name == Relu3).Metric("ite.efficiency")!.Value!.Value;
        Share = current.Layers.Single(l => l.Name == Relu1).Metric("conductance.share")!.Value!.Value;
        using var stream = new MemoryStream();
        ReportJsonWriter.Write(stream, current);
        var node = JsonNode.Parse(stream.ToArray())!;
        node["layers"]![2]!["metrics"]!["ite.efficiency"]!["value"] = Efficiency + 0.05;
        node["layers"]![0]!["metrics"]!["conductance.share"]!["value"] = Share + 0.01;
        // The NIF graph: unit 1's betweenness and the first attribution cell differ in the baseline.
        GraphLabel = current.Graph!.Nodes[1].Label;
        node["graph"]!["nodes"]![1]!["betweenness"] = 0.25;
        Attribution = current.Graph.Attribution[0][0];
        node["graph"]!["attribution"]![0]![0] = Attribution + 1.0;
        BaselinePath = Path.Combine(_temp, "baseline.json");
        File.WriteAllText(BaselinePath, node.ToJsonString());
        Report = ReportFixture.RunDigits(ReportJsonReader.Read(BaselinePath).Baseline);
    }

    public AuditReport Report { get; }

    public string BaselinePath { get; }

    /// <summary>This run's ITE efficiency of relu3 (the baseline has it + 0.05).</summary>
    public double Efficiency { get; }

    /// <summary>This run's conductance share of relu1 (the baseline has it + 0.01).</summary>
    public double Share { get; }

    /// <summary>The NIF node whose betweenness is 0.25 in the baseline.</summary>
    public string GraphLabel { get; }

    /// <summary>This run's NIF attribution from input 0 to class 0 (the baseline has it + 1).</summary>
    public double Attribution { get; }

    public void Dispose() => Directory.Delete(_temp, recursive: true);
}

public sealed partial class BaselineReportTests(BaselineRunFixture run, ReportFixture fixture) : IClassFixture<BaselineRunFixture>, IClassFixture<ReportFixture>
{
    private static string Fixture(string name) => Path.Combine(ReportFixture.RepoRoot, "tests", "ModelAudit.Reporting.Tests", "Fixtures", name);

    private static string F(double v) => v.ToString("G5", CultureInfo.InvariantCulture);

    [Fact]
    public void Read_Version1Baseline_EveryFlatMetricLandsOnItsLayer()
    {
        // digits-report-v1.json was written by the tool before schema 2 (commit 7f63735), from audit-configs/digits.yaml.
        var path = Fixture("digits-report-v1.json");
        var doc = ReportJsonReader.Read(path);
        Assert.Equal(1, doc.SchemaVersion);
        using var json = JsonDocument.Parse(File.ReadAllBytes(path));
        var flat = json.RootElement.GetProperty("metrics").EnumerateObject().ToList();
        Assert.Equal(flat.Count, doc.Baseline.Metrics.Count);
        Assert.Equal(["/relu1/Relu_output_0", "/relu2/Relu_output_0", "/relu3/Relu_output_0"], doc.Baseline.Layers);
        foreach (var layer in doc.Baseline.Layers)
            foreach (var family in doc.Baseline.Metrics.LayerFamilies)
            {
                var expected = json.RootElement.GetProperty("metrics").GetProperty($"{family}[{layer}]");
                Assert.Equal(expected.ValueKind == JsonValueKind.Null ? null : expected.GetDouble(), doc.Baseline.Metrics.Value(family, layer));
            }
        Assert.Equal(json.RootElement.GetProperty("metrics").GetProperty("accuracy").GetDouble(), doc.Baseline.Metrics.Value("accuracy"));
        Assert.Equal(13, doc.Baseline.Metrics.LayerFamilies.Count());
        Assert.Equal(3, doc.Baseline.Heatmap!.Count);
        var graph = json.RootElement.GetProperty("graph");
        Assert.Equal(graph.GetProperty("nodes").GetArrayLength(), doc.Baseline.Graph!.Nodes.Count);
        Assert.Equal(graph.GetProperty("edges").GetArrayLength(), doc.Baseline.Graph.Edges.Count);
        Assert.Equal(graph.GetProperty("nodes")[1].GetProperty("betweenness").GetDouble(), doc.Baseline.Graph.Nodes[1].Betweenness);
        Assert.Equal(graph.GetProperty("attribution").EnumerateArray().Last().EnumerateArray().Last().GetDouble(), doc.Baseline.Graph.Attribution[^1][^1]);
    }

    [Fact]
    public void Run_AgainstVersion1Baseline_EveryMetricAndRegressionGateHasTheBaselineValue()
    {
        var baseline = ReportJsonReader.Read(Fixture("digits-report-v1.json")).Baseline;
        var report = ReportFixture.RunDigits(baseline);
        Assert.All(report.Layers.SelectMany(l => l.Metrics.Select(m => (l.Name, m))),
            x => Assert.Equal(baseline.Metrics.Value(x.m.Family, x.Name), x.m.BaselineValue));
        Assert.All(report.Layers.SelectMany(l => l.Metrics), m => Assert.NotEqual(MetricStatus.New, m.Status));
        Assert.All(report.Gates.Where(g => g.Gate.MaxRegression is not null), g => Assert.NotNull(g.BaselineValue));
        Assert.Equal(baseline.Metrics.Value("nif.dead_units"), report.Gates.Single(g => g.Gate.Metric.Family == "nif.dead_units").BaselineValue);
    }

    [Fact]
    public void Compare_RegressedLayer_ReadingHasBaselineDeltaStatusAndAllowance()
    {
        var reading = run.Report.Layers.Single(l => l.Name == BaselineRunFixture.Relu3).Metric("ite.efficiency")!;
        Assert.Equal(run.Efficiency, reading.Value);
        Assert.Equal(run.Efficiency + 0.05, reading.BaselineValue);
        Assert.Equal(run.Efficiency - (run.Efficiency + 0.05), reading.Delta);
        Assert.Equal(MetricStatus.Regressed, reading.Status);
        // Allowed: 10% of the baseline value (the gate's relative limit), applied to the layer alone.
        Assert.Equal(0.05 / (0.1 * (run.Efficiency + 0.05)), reading.AllowanceUsed!.Value, 12);
        var share = run.Report.Layers.Single(l => l.Name == BaselineRunFixture.Relu1).Metric("conductance.share")!;
        Assert.Equal(MetricStatus.Changed, share.Status);
        Assert.Equal(MetricStatus.Unchanged, run.Report.Layers.Single(l => l.Name == BaselineRunFixture.Relu3).Metric("conductance.share")!.Status);
        Assert.Equal(["ite.efficiency[/relu3/Relu_output_0]", "conductance.share[/relu1/Relu_output_0]"], run.Report.Changes().Select(c => c.Name));
    }

    [Fact]
    public void Html_BaselineRun_WhatChangedFirstWithTheRegressedLayerOnTop()
    {
        var html = HtmlReportRenderer.Default.Render(run.Report);
        int changes = html.IndexOf("<section id=\"changes\">", StringComparison.Ordinal);
        Assert.True(changes > 0 && changes < html.IndexOf("<section id=\"summary\">", StringComparison.Ordinal));
        Assert.DoesNotContain("id=\"no-baseline\"", html, StringComparison.Ordinal);
        var firstRow = ChangeRow().Match(html, changes);
        Assert.True(firstRow.Success);
        Assert.Equal("regressed", firstRow.Groups["status"].Value);
        Assert.Contains("<code>ite.efficiency</code></td><td><code>/relu3/Relu_output_0</code>", firstRow.Value, StringComparison.Ordinal);
        Assert.Contains($"<td class=\"num baseline\">{F(run.Efficiency + 0.05)}</td><td class=\"num value\">{F(run.Efficiency)}</td><td class=\"num delta\">-0.05</td>", firstRow.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_BaselineRun_EveryPlotWithABaselineDrawsBaselineMarks()
    {
        var plots = Plots.For(run.Report);
        string[] withBaseline = ["plot-plane-activation", "plot-plane-conductance", "plot-dpi", "plot-ite", "plot-conductance-share", "plot-attribution-difference",
            "plot-nif-graph", "plot-nif-attribution-difference"];
        string[] without = ["plot-attribution-heatmap", "plot-nif-attribution"];
        Assert.Equal(withBaseline.Length + without.Length, plots.Count);
        foreach (var id in withBaseline) Assert.Contains("class=\"baseline\"", plots.Single(p => p.Id == id).Svg, StringComparison.Ordinal);
        foreach (var id in without) Assert.DoesNotContain("class=\"baseline\"", plots.Single(p => p.Id == id).Svg, StringComparison.Ordinal);
        // One ghost point per layer on each plane, one marker per defined ITE baseline term, one tick per share bar.
        Assert.Equal(3, Regex.Matches(plots.Single(p => p.Id == "plot-plane-activation").Svg, "<circle class=\"baseline\"[^>]*><title>baseline").Count);
        Assert.Equal(3, Regex.Matches(plots.Single(p => p.Id == "plot-conductance-share").Svg, "<rect class=\"baseline\"[^>]*><title>baseline").Count);
        int iteTerms = run.Report.Layers.Sum(l => l.Metrics.Count(m => m.Family.StartsWith("ite.", StringComparison.Ordinal) && m.BaselineValue is not null));
        Assert.Equal(iteTerms + 1, Regex.Matches(plots.Single(p => p.Id == "plot-ite").Svg, "<line class=\"baseline\"").Count);
        Assert.Equal(run.Report.Conductance!.Heatmap.Sum(r => r.Value.Count), Regex.Matches(plots.Single(p => p.Id == "plot-attribution-difference").Svg, "<rect class=\"baseline\"").Count);
        // NIF: one dashed ring per unit (the baseline selected the same units), one difference cell per attribution cell.
        var graph = plots.Single(p => p.Id == "plot-nif-graph").Svg;
        Assert.Equal(run.Report.Graph!.Nodes.Count, Regex.Matches(graph, "<circle class=\"baseline\"").Count);
        var node = run.Report.Graph.Nodes[1];
        Assert.Contains($"<title>baseline {run.GraphLabel}: betweenness 0.25 (this run {Axis.Label(node.Betweenness)})</title>", graph, StringComparison.Ordinal);
        var difference = plots.Single(p => p.Id == "plot-nif-attribution-difference").Svg;
        Assert.Equal(run.Report.Graph.Attribution.Sum(r => r.Count), Regex.Matches(difference, "<rect class=\"baseline\"").Count);
        Assert.Contains($"<title>input 0 class 0: {Axis.Label(run.Attribution)} (baseline {Axis.Label(run.Attribution + 1)}, -1)</title>", difference, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_BaselineRun_LayerTableHasValueBaselineAndDeltaCells()
    {
        var html = HtmlReportRenderer.Default.Render(run.Report);
        var table = html[html.IndexOf("<table id=\"layer-metrics\">", StringComparison.Ordinal)..];
        var rows = LayerRow().Matches(table).ToList();
        Assert.Equal(run.Report.Layers.Sum(l => l.Metrics.Count), rows.Count);
        var regressed = Assert.Single(rows, r => r.Groups["status"].Value == "regressed");
        Assert.Equal("ITE", regressed.Groups["metric"].Value);
        Assert.Equal(F(run.Efficiency), regressed.Groups["value"].Value);
        Assert.Equal(F(run.Efficiency + 0.05), regressed.Groups["baseline"].Value);
        Assert.Equal("-0.05", regressed.Groups["delta"].Value);
        var changed = Assert.Single(rows, r => r.Groups["status"].Value == "changed");
        Assert.Equal(("share", F(run.Share), F(run.Share + 0.01), "-0.01"), (changed.Groups["metric"].Value, changed.Groups["value"].Value, changed.Groups["baseline"].Value, changed.Groups["delta"].Value));
        Assert.All(rows.Where(r => r.Groups["status"].Value == "unchanged"), r => Assert.Equal(r.Groups["value"].Value, r.Groups["baseline"].Value));
    }

    [Fact]
    public void Markdown_BaselineRun_PerLayerTableWithRegressionInBold()
    {
        var md = MarkdownSummary.Render(run.Report);
        Assert.Contains("### What changed (2 metrics moved; regressions first)", md, StringComparison.Ordinal);
        Assert.Contains("| Layer | Metric | Value | Baseline | Delta | Status |", md, StringComparison.Ordinal);
        Assert.Contains($"| `/relu3/Relu_output_0` | `ite.efficiency` | **{F(run.Efficiency)}** | {F(run.Efficiency + 0.05)} | **-0.05** | ❌ regressed |", md, StringComparison.Ordinal);
        Assert.Contains($"| `/relu1/Relu_output_0` | `conductance.share` | {F(run.Share)} | {F(run.Share + 0.01)} | -0.01 | changed |", md, StringComparison.Ordinal);
        int layerRows = Regex.Matches(md, @"^\| `/relu\d/Relu_output_0` \| `[a-z_.]+` \|", RegexOptions.Multiline).Count;
        Assert.Equal(run.Report.Layers.Sum(l => l.Metrics.Count), layerRows);
    }

    [Fact]
    public void Html_NoBaseline_SaysSoOnceAtTheTopAndDrawsNoBaselineMarks()
    {
        var html = HtmlReportRenderer.Default.Render(fixture.Digits);
        Assert.Single(Regex.Matches(html, "No baseline"));
        Assert.True(html.IndexOf("id=\"no-baseline\"", StringComparison.Ordinal) < html.IndexOf("<section id=\"summary\">", StringComparison.Ordinal));
        Assert.DoesNotContain("id=\"changes\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("class=\"baseline\"", html, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(MarkdownSummary.Render(fixture.Digits), "Baseline: none given"));
    }

    [Fact]
    public void Html_IteZeroTerm_DrawnAsAThinBarNotAsMissing()
    {
        var rows = new List<EfficiencyRow> { new("a", 0, 0.5, null, 0.25, []) };
        var svg = Plots.IteBars(rows);
        Assert.Contains("<title>a compression: 0</title>", svg, StringComparison.Ordinal);
        Assert.Contains(">n/a</text>", svg, StringComparison.Ordinal);
        Assert.Equal(3, Regex.Matches(svg, "<rect [^>]*><title>a ").Count);
    }

    [Fact]
    public void Json_DefaultAudit_MatchesTheCommittedGolden()
    {
        // The golden pins the whole report.json of audit-configs/digits.yaml: keys, order, strings, numbers. Paths
        // (machine-specific), the tool version and the timings are normalised. Numbers compare to 1e-9 relative:
        // the CPU's vector width may change the last bits of a float reduction, the schema and the values must not.
        // Regenerate after an intended change: MODELAUDIT_UPDATE_GOLDEN=1 dotnet test --filter Json_DefaultAudit_MatchesTheCommittedGolden
        using var stream = new MemoryStream();
        ReportJsonWriter.Write(stream, fixture.Digits);
        var actual = Normalise(Encoding.UTF8.GetString(stream.ToArray()));
        var golden = Fixture("digits-report.golden.json");
        if (Environment.GetEnvironmentVariable("MODELAUDIT_UPDATE_GOLDEN") == "1") File.WriteAllText(golden, actual);
        AssertJsonEqual(JsonNode.Parse(File.ReadAllText(golden))!, JsonNode.Parse(actual)!, "$");
    }

    private static string Normalise(string json)
    {
        var node = JsonNode.Parse(json)!;
        node["tool"] = "<tool>";
        node["timings"] = new JsonObject();
        var root = ReportFixture.RepoRoot.TrimEnd('/') + "/";
        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
            .Replace(root, "<repo>/", StringComparison.Ordinal) + "\n";
    }

    private static void AssertJsonEqual(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected)
        {
            case null:
                Assert.True(actual is null, $"{path}: expected null, got {actual?.ToJsonString()}");
                break;
            case JsonObject o:
                var a = Assert.IsType<JsonObject>(actual);
                Assert.Equal(o.Select(p => p.Key), a.Select(p => p.Key));
                foreach (var (k, v) in o) AssertJsonEqual(v, a[k], $"{path}.{k}");
                break;
            case JsonArray arr:
                var b = Assert.IsType<JsonArray>(actual);
                Assert.True(arr.Count == b.Count, $"{path}: {arr.Count} items expected, got {b.Count}");
                for (int i = 0; i < arr.Count; i++) AssertJsonEqual(arr[i], b[i], $"{path}[{i}]");
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                double e = v.GetValue<double>(), got = actual!.GetValue<double>();
                Assert.True(Math.Abs(e - got) <= 1e-9 * Math.Max(1, Math.Abs(e)), $"{path}: expected {e}, got {got}");
                break;
            default:
                Assert.True(JsonNode.DeepEquals(expected, actual), $"{path}: expected {expected.ToJsonString()}, got {actual?.ToJsonString()}");
                break;
        }
    }

    [GeneratedRegex("<tr class=\"status-(?<status>[a-z_]+)\"><td class=\"num\">1</td>.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex ChangeRow();

    [GeneratedRegex("<tr class=\"status-(?<status>[a-z_]+)\">(?:<th.*?)?<td>(?<metric>[^<]*)</td><td class=\"num value\">(?<value>[^<]*)</td><td class=\"num baseline\">(?<baseline>[^<]*)</td><td class=\"num delta\">(?<delta>[^<]*)</td>")]
    private static partial Regex LayerRow();
}
