using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ModelAudit.Cli.Tests;

/// <summary>Packs the tool once, installs it into a temporary tool path; the tests run the installed tool.</summary>
public sealed class InstalledTool : IDisposable
{
    public InstalledTool()
    {
        Root = Directory.CreateTempSubdirectory("tool-e2e").FullName;
        var packages = Path.Combine(Root, "packages");
        // A fresh pre-release version per run, so no NuGet cache can hand back an older build of the tool.
        var version = "0.1.0-e2e." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
        var project = Path.Combine(CliHarness.RepoRoot, "src", "ModelAudit.Cli", "ModelAudit.Cli.csproj");
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        // --no-build: the test project already built the CLI in this configuration.
        Process.Run("dotnet", ["pack", project, "-c", configuration, "--no-build", "-o", packages, $"-p:PackageVersion={version}"], CliHarness.RepoRoot, 300);
        Process.Run("dotnet", ["tool", "install", "dotnet-model-audit", "--tool-path", Path.Combine(Root, "tool"), "--add-source", packages, "--version", version],
            Root, 300, new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(Root, "nuget") });
        Executable = Path.Combine(Root, "tool", OperatingSystem.IsWindows() ? "dotnet-model-audit.exe" : "dotnet-model-audit");
    }

    public string Root { get; }

    public string Executable { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    /// <summary>Runs processes to completion; with check set, a non-zero exit throws with the output.</summary>
    internal static class Process
    {
        public static (int Exit, string Out, string Err) Run(string file, string[] args, string cwd, int timeoutSeconds,
            IReadOnlyDictionary<string, string>? environment = null, bool check = true)
        {
            var info = new ProcessStartInfo(file) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args) info.ArgumentList.Add(a);
            foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
            info.Environment.Remove("GITHUB_ACTIONS");
            using var p = System.Diagnostics.Process.Start(info)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeoutSeconds * 1000))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"{file} {string.Join(" ", args)} ran over {timeoutSeconds} s");
            }
            var result = (p.ExitCode, stdout.Result, stderr.Result);
            if (check && p.ExitCode != 0)
                throw new InvalidOperationException($"{file} {string.Join(" ", args)} exited {p.ExitCode}:\n{result.Item2}\n{result.Item3}");
            return result;
        }
    }
}

/// <summary>End-to-end: the packed and installed tool on the shipped default audit, its exit codes, and its HTML in headless Chromium.</summary>
public sealed partial class ToolPackageTests(InstalledTool tool, Xunit.Abstractions.ITestOutputHelper log) : IClassFixture<InstalledTool>
{
    private static string DefaultSpec => Path.Combine(CliHarness.RepoRoot, "audit-configs", "digits.yaml");

    private (int Exit, string Out, string Err) Tool(params string[] args)
        => InstalledTool.Process.Run(tool.Executable, args, tool.Root, 300, new Dictionary<string, string> { ["CI"] = "true" }, check: false);

    [Fact]
    public void InstalledTool_DefaultSpec_Exit0AndReportsInChromium()
    {
        var outDir = Path.Combine(tool.Root, "default-out");
        var (exit, output, error) = Tool("run", DefaultSpec, "--out", outDir);
        Assert.True(exit == 0, $"exit {exit}\n{output}\n{error}");
        Assert.Contains("audit passed: 6 gates", output);
        foreach (var f in new[] { "report.json", "report.html", "summary.md", "junit.xml" })
            Assert.True(new FileInfo(Path.Combine(outDir, f)).Length > 0, f);

        var (dom, console) = Chromium(Path.Combine(outDir, "report.html"));
        var ids = SvgId().Matches(dom).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["plot-plane-activation-svg", "plot-plane-conductance-svg", "plot-dpi-svg", "plot-ite-svg", "plot-conductance-share-svg", "plot-attribution-heatmap-svg", "plot-nif-graph-svg", "plot-nif-attribution-svg"], ids);
        Assert.Empty(console);
    }

    [Fact]
    public void InstalledTool_BaselineRun_ReadsInChromiumAtDesktopAndPhoneWidth()
    {
        var first = Path.Combine(tool.Root, "screens-baseline");
        var second = Path.Combine(tool.Root, "screens-run");
        Assert.Equal(0, Tool("run", DefaultSpec, "--out", first, "--quiet").Exit);
        var (exit, output, error) = Tool("run", DefaultSpec, "--out", second, "--quiet", "--baseline", Path.Combine(first, "report.json"));
        Assert.True(exit == 0, $"exit {exit}\n{output}\n{error}");
        var html = Path.Combine(second, "report.html");
        var (dom, console) = Chromium(html);
        Assert.Empty(console);
        Assert.Contains("<section id=\"changes\">", dom);
        Assert.Contains("class=\"baseline\"", dom);
        log.WriteLine($"report.html with a baseline: {new FileInfo(html).Length} bytes; without: {new FileInfo(Path.Combine(first, "report.html")).Length} bytes");
        // The page is read without scripts: a screenshot at a desktop and at a phone width renders with no console errors.
        foreach (var (name, width) in new[] { ("desktop", 1400), ("phone", 390) })
        {
            var png = Path.Combine(tool.Root, $"report-{name}.png");
            var (_, shotConsole) = Chromium(html, "--hide-scrollbars", $"--window-size={width},4000", $"--screenshot={png}");
            Assert.Empty(shotConsole);
            var bytes = File.ReadAllBytes(png);
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes[..4]);
            Assert.Equal(width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
            log.WriteLine($"{name} screenshot ({width} px): {bytes.Length} bytes");
        }
    }

    [Fact]
    public void Chromium_ConsoleErrorDetection_CatchesAnUncaughtError()
    {
        // Control for the check above: a page with a script error must be caught by the same scan.
        var page = Path.Combine(tool.Root, "broken.html");
        File.WriteAllText(page, "<!DOCTYPE html><html><body><svg id=\"a\"></svg><script>missingFunction();</script></body></html>");
        var (dom, console) = Chromium(page);
        Assert.Contains("<svg id=\"a\">", dom);
        Assert.Contains(console, l => l.Contains("Uncaught ReferenceError: missingFunction is not defined", StringComparison.Ordinal));
    }

    [Fact]
    public void InstalledTool_FailingGate_Exit2()
    {
        var spec = Path.Combine(tool.Root, "failing.yaml");
        File.WriteAllText(spec, File.ReadAllText(DefaultSpec).Replace("    min: 0.9\n", "    min: 1.5\n", StringComparison.Ordinal)
            .Replace("digits/", Path.Combine(CliHarness.RepoRoot, "audit-configs", "digits") + "/", StringComparison.Ordinal));
        var (exit, output, error) = Tool("run", spec, "--out", Path.Combine(tool.Root, "failing-out"));
        Assert.True(exit == 2, $"exit {exit}\n{output}\n{error}");
        Assert.Contains("  FAIL  accuracy  value 1  baseline -  accuracy: 1 is below min 1.5", output);
        Assert.Equal($"{spec}(25,5): error MA0002: accuracy: 1 is below min 1.5 (no baseline given: regression not checked)\naudit failed: 1 of 6 gates failed", error.Trim().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void InstalledTool_BrokenSpec_Exit3WithLine()
    {
        var spec = Path.Combine(tool.Root, "broken.yaml");
        File.WriteAllText(spec, "model: m.onnx\ndata:\n  inputs: x.npy\n  labels: y.npy\n  sample: 10\nanalyses: { planes: {} }\n");
        var (exit, _, error) = Tool("run", spec);
        Assert.Equal(3, exit);
        Assert.Equal($"{spec}(5,3): error MA0001: unknown key 'sample' in 'data'; allowed keys: inputs, key, labels, label_column, header, samples, preprocessing", error.Trim());
    }

    /// <summary>The DOM after load and the page's console lines, from headless Chromium (required: CI installs it).</summary>
    private static (string Dom, List<string> Console) Chromium(string html, params string[] mode)
    {
        var exe = new[] { "chromium", "chromium-browser", "google-chrome" }
            .Select(n => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, n)).FirstOrDefault(File.Exists))
            .FirstOrDefault(p => p is not null);
        Assert.True(exe is not null, "headless Chromium is required for this test: apt-get install chromium (.ci/run installs it)");
        string[] what = mode.Length == 0 ? ["--dump-dom"] : mode;
        var (exit, dom, err) = InstalledTool.Process.Run(exe!, ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
            .. what, new Uri(html).AbsoluteUri], Path.GetDirectoryName(html)!, 120, check: false);
        Assert.True(exit == 0, $"chromium exited {exit}: {err}");
        return (dom, err.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal) || l.Contains("Uncaught", StringComparison.Ordinal)).ToList());
    }

    [GeneratedRegex("<svg id=\"([^\"]+)\"")]
    private static partial Regex SvgId();
}
