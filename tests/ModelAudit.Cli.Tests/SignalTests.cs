using System.Diagnostics;
using System.Text;

namespace ModelAudit.Cli.Tests;

/// <summary>SIGTERM and SIGINT on the real process: the first cancels cleanly, a second exits at once; never a stack trace.</summary>
public sealed class SignalTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("cli-signals").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string Tool => Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "dotnet-model-audit.exe" : "dotnet-model-audit");

    /// <summary>Starts <c>run digits.yaml</c>, waits until the streamed pass is computing, sends the signals, returns exit and stderr.</summary>
    private (int Exit, string Err, TimeSpan AfterFirstSignal) RunAndSignal(string signal, int count, string outDir)
    {
        var info = new ProcessStartInfo(Tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // The default audit with 10000 conductance steps (the most the spec allows), so that the streamed pass outlasts a
        // loaded machine's delivery of the signal (with 3000 steps a run under load once finished first and exited 0).
        var configs = Path.Combine(CliHarness.RepoRoot, "audit-configs");
        var spec = Path.Combine(_temp, "long.yaml");
        File.WriteAllText(spec, File.ReadAllText(Path.Combine(configs, "digits.yaml"))
            .Replace("digits/", Path.Combine(configs, "digits") + "/", StringComparison.Ordinal)
            .Replace("steps: 50", "steps: 10000", StringComparison.Ordinal));
        foreach (var a in new[] { "run", spec, "--out", outDir }) info.ArgumentList.Add(a);
        info.Environment.Remove("GITHUB_ACTIONS");
        using var process = new Process { StartInfo = info };
        using var started = new ManualResetEventSlim();
        var err = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("[stream] Forward pass and conductance: started", StringComparison.Ordinal) == true) started.Set();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (err) err.AppendLine(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Assert.True(started.Wait(TimeSpan.FromSeconds(120)), "the audit never reached the streamed pass: " + err);
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "the tool did not stop");
        var elapsed = watch.Elapsed;
        process.WaitForExit();
        lock (err) return (process.ExitCode, err.ToString(), elapsed);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public void Run_OneSignal_Exit130OneLineNoReports(string signal)
    {
        if (OperatingSystem.IsWindows()) return;
        var outDir = Path.Combine(_temp, "out");
        var (exit, err, _) = RunAndSignal(signal, 1, outDir);
        Assert.Equal(130, exit);
        Assert.Equal("error: cancelled" + Environment.NewLine, err);
        Assert.False(Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any());
    }

    [Fact]
    public void Run_TwoSignals_Exit130OneLineNoStackTraceNoTempFiles()
    {
        if (OperatingSystem.IsWindows()) return;
        var outDir = Path.Combine(_temp, "out");
        var (exit, err, _) = RunAndSignal("TERM", 2, outDir);
        Assert.Equal(130, exit);
        Assert.Equal("error: cancelled" + Environment.NewLine, err);
        Assert.False(Directory.Exists(outDir) && Directory.EnumerateFiles(outDir, "*.tmp").Any());
    }
}
