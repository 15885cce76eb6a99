using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelAudit.Cli.Tests;

/// <summary>run, diff and init in-process on the shipped digits audit.</summary>
public sealed class AuditCommandTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("audit-cli-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string DefaultSpec => Path.Combine(CliHarness.RepoRoot, "audit-configs", "digits.yaml");

    private static string Digits(string file) => Path.Combine(CliHarness.RepoRoot, "audit-configs", "digits", file);

    private string Spec(string gates, string name = "spec.yaml")
    {
        var path = Path.Combine(_temp, name);
        File.WriteAllText(path, $"""
            model: '{Digits("model.onnx")}'
            data:
              inputs: '{Digits("input.npy")}'
              labels: '{Digits("labels.npy")}'
            analyses:
              conductance: {"{ steps: 8 }"}
              planes: {"{ bootstrap: 2 }"}
              ite: {"{}"}
            gates:
            {gates}
            """);
        return path;
    }

    [Fact]
    public void Run_DefaultSpec_PassesAndWritesReports()
    {
        var outDir = Path.Combine(_temp, "out");
        var (exit, output, error) = CliHarness.Run("run", DefaultSpec, "--out", outDir);
        Assert.Equal("", error);
        Assert.Equal(0, exit);
        Assert.Contains("[stream] Forward pass and conductance: started (64 steps)", output);
        Assert.Contains("  PASS  accuracy  value 1  baseline -  accuracy = 1, bound [0.9, +inf]; worsening <= 0.02 (no baseline given: regression not checked)", output);
        Assert.Contains("note: no baseline given; regression limits were not checked", output);
        Assert.Equal(["junit.xml", "report.html", "report.json", "summary.md"], Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")));
        Assert.Equal("passed", doc.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(6, doc.RootElement.GetProperty("gates").GetArrayLength());
    }

    [Fact]
    public void Run_FailingGate_Exit2_NoFailExit0()
    {
        var spec = Spec("  - metric: accuracy\n    direction: higher_is_better\n    max: 0.5\n");
        var (exit, output, error) = CliHarness.Run("run", spec, "--out", Path.Combine(_temp, "o1"), "--quiet");
        Assert.Equal(2, exit);
        Assert.Equal($"{spec}(10,5): error MA0002: accuracy: 1 is above max 0.5{Environment.NewLine}audit failed: 1 of 1 gates failed{Environment.NewLine}", error);
        Assert.Equal("", output);
        var (noFailExit, _, _) = CliHarness.Run("run", spec, "--out", Path.Combine(_temp, "o2"), "--quiet", "--no-fail");
        Assert.Equal(0, noFailExit);
        Assert.True(File.Exists(Path.Combine(_temp, "o2", "report.json")));
    }

    [Fact]
    public void Run_BrokenSpec_Exit3WithFileLineColumn()
    {
        var spec = Spec("  - metric: accuracy\n    direction: sideways\n    min: 0.5\n");
        var (exit, output, error) = CliHarness.Run("run", spec, "--out", Path.Combine(_temp, "o"));
        Assert.Equal(3, exit);
        Assert.Equal($"{spec}(11,16): error MA0001: 'gates[0].direction' must be one of higher_is_better, lower_is_better; got 'sideways'" + Environment.NewLine, error);
        Assert.Equal("", output);
        Assert.False(Directory.Exists(Path.Combine(_temp, "o")));
    }

    [Fact]
    public void Run_Baseline_RegressionFailsAndDiffShowsIt()
    {
        var spec = Spec("  - metric: accuracy\n    direction: higher_is_better\n    max_regression: { absolute: 0.02 }\n  - metric: max(conductance.share[*])\n    direction: lower_is_better\n    max_regression: { relative: 0.5 }\n");
        var first = Path.Combine(_temp, "first");
        Assert.Equal(0, CliHarness.Run("run", spec, "--out", first, "--quiet").Exit);
        // A baseline that was better: accuracy 1.5 (the run's is 1), so the run worsened by 0.5.
        var baselinePath = Path.Combine(_temp, "baseline.json");
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(first, "report.json")))!;
        json["scalars"]!["accuracy"]!["value"] = 1.5;
        File.WriteAllText(baselinePath, json.ToJsonString());

        var second = Path.Combine(_temp, "second");
        var (exit, output, _) = CliHarness.Run("run", spec, "--out", second, "--baseline", baselinePath);
        Assert.Equal(2, exit);
        Assert.Contains("  FAIL  accuracy  value 1  baseline 1.5  accuracy: worsened by 0.5 vs baseline 1.5 (allowed 0.02)", output);
        Assert.Contains("  PASS  max(conductance.share[*])", output);
        Assert.DoesNotContain("note: no baseline given", output);

        var (diffExit, diff, _) = CliHarness.Run("diff", baselinePath, Path.Combine(second, "report.json"));
        Assert.Equal(2, diffExit);
        Assert.Contains("  ~ accuracy  1.5 -> 1  (-0.5)", diff);
        Assert.Contains("gates of the candidate against this baseline: 2, 1 would fail", diff);
        Assert.Contains($"  FAIL  {spec}(10,5): accuracy: worsened by 0.5 vs baseline 1.5 (allowed 0.02)", diff);

        var (sameExit, same, _) = CliHarness.Run("diff", Path.Combine(first, "report.json"), Path.Combine(second, "report.json"));
        Assert.Equal(0, sameExit);
        Assert.Contains("  no metric changed", same);
    }

    [Fact]
    public void Run_OutputWouldOverwriteBaseline_Exit3BeforeCompute()
    {
        var spec = Spec("  - metric: accuracy\n    direction: higher_is_better\n    min: 0.5\n");
        var dir = Path.Combine(_temp, "o");
        Assert.Equal(0, CliHarness.Run("run", spec, "--out", dir, "--quiet").Exit);
        var before = File.ReadAllBytes(Path.Combine(dir, "report.json"));
        var (exit, output, error) = CliHarness.Run("run", spec, "--out", dir, "--baseline", Path.Combine(dir, "report.json"));
        Assert.Equal(3, exit);
        Assert.Equal($"error: {Path.Combine(dir, "report.json")}: the output would overwrite the baseline; choose another --out folder" + Environment.NewLine, error);
        Assert.Equal("", output);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, "report.json")));
    }

    [Fact]
    public void Run_Cancelled_LeavesNoReport()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var dir = Path.Combine(_temp, "o");
        var (exit, _, error) = CliHarness.Run(cancelled.Token, "run", DefaultSpec, "--out", dir);
        Assert.Equal(130, exit);
        Assert.Equal("error: cancelled" + Environment.NewLine, error);
        Assert.False(Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any());
    }

    [Fact]
    public void Run_GitHubActions_AnnotatesFailedGateLine()
    {
        var spec = Spec("  - metric: accuracy\n    direction: higher_is_better\n    min: 0.5\n  - metric: accuracy\n    direction: higher_is_better\n    max: 0.5\n");
        Environment.SetEnvironmentVariable("GITHUB_ACTIONS", "true");
        try
        {
            var (exit, output, _) = CliHarness.Run("run", spec, "--out", Path.Combine(_temp, "o"));
            Assert.Equal(2, exit);
            var annotations = output.Split(Environment.NewLine).Where(l => l.StartsWith("::", StringComparison.Ordinal)).ToList();
            Assert.Equal([$"::error file={spec.Replace(":", "%3A", StringComparison.Ordinal)},line=13,col=5,title=model-audit gate accuracy::accuracy: 1 is above max 0.5"], annotations);
        }
        finally
        {
            Environment.SetEnvironmentVariable("GITHUB_ACTIONS", null);
        }
    }

    [Fact]
    public void Init_WritesSpecThatRuns()
    {
        var spec = Path.Combine(_temp, "audit.yaml");
        var (exit, output, error) = CliHarness.Run("init", Digits("model.onnx"), "--data", Digits("input.npy"), "--labels", Digits("labels.npy"), "--output", spec);
        Assert.Equal("", error);
        Assert.Equal(0, exit);
        Assert.Contains($"wrote {spec}", output);
        var text = File.ReadAllText(spec);
        Assert.Contains("  - '/relu1/Relu_output_0'\n  - '/relu2/Relu_output_0'\n  - '/relu3/Relu_output_0'\n", text.ReplaceLineEndings("\n"));
        Assert.Equal(3, CliHarness.Run("init", Digits("model.onnx"), "--output", spec).Exit);
        var (runExit, runOutput, _) = CliHarness.Run("run", spec, "--out", Path.Combine(_temp, "o"));
        Assert.Equal(0, runExit);
        Assert.Contains("audit passed: 5 gates", runOutput);
    }

    [Fact]
    public void Run_TemplatesOverride_UsedForTheHtml_MissingLayoutIsExit3()
    {
        var spec = Spec("  - metric: accuracy\n    direction: higher_is_better\n    min: 0.5\n");
        var templates = Directory.CreateDirectory(Path.Combine(_temp, "templates")).FullName;
        File.WriteAllText(Path.Combine(templates, "layout.sbn-html"), "<h1>{{ outcome }}</h1>{{ for p in plots }}<i>{{ p.id }}</i>{{ end }}");
        var (exit, _, _) = CliHarness.Run("run", spec, "--out", Path.Combine(_temp, "o"), "--quiet", "--templates", templates);
        Assert.Equal(0, exit);
        Assert.Equal("<h1>passed</h1><i>plot-plane-activation</i><i>plot-plane-conductance</i><i>plot-dpi</i><i>plot-ite</i><i>plot-conductance-share</i><i>plot-attribution-heatmap</i>",
            File.ReadAllText(Path.Combine(_temp, "o", "report.html")));
        var (badExit, _, error) = CliHarness.Run("run", spec, "--out", Path.Combine(_temp, "o2"), "--templates", _temp);
        Assert.Equal(3, badExit);
        Assert.Equal($"error: {_temp}: no layout.sbn-html (a templates folder holds layout.sbn-html and partials/*.sbn-html)" + Environment.NewLine, error);
    }

    [Fact]
    public void Diff_NotAReport_Exit3()
    {
        var path = Path.Combine(_temp, "x.json");
        File.WriteAllText(path, "[1, 2]");
        var (exit, _, error) = CliHarness.Run("diff", path, path);
        Assert.Equal(3, exit);
        Assert.StartsWith($"error: {path}: not a valid model-audit report.json", error);
    }
}
