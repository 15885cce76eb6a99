using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ModelAudit.MSBuild;

/// <summary>
/// Runs <c>dotnet-model-audit run</c> (shipped in the package) in its own process and turns its
/// <c>FILE(line,col): error|warning MA....: message</c> lines (read with the CLI's own <see cref="AuditDiagnostic"/>) into MSBuild errors and warnings at that
/// position. Succeeds when nothing was logged as an error.
/// </summary>
public sealed class ModelAuditTask : ToolTask
{
    /// <summary>The audit spec (YAML).</summary>
    [Required]
    public string Spec { get; set; } = "";

    /// <summary>The CLI's dotnet-model-audit.dll.</summary>
    [Required]
    public string CliPath { get; set; } = "";

    /// <summary>Folder for the reports.</summary>
    [Required]
    public string OutputDirectory { get; set; } = "";

    /// <summary>A baseline report.json, or empty.</summary>
    public string? Baseline { get; set; }

    /// <summary>Report failing gates as warnings instead of errors.</summary>
    public bool NoFail { get; set; }

    /// <summary>Extra arguments for <c>run</c> (e.g. <c>--templates DIR</c>).</summary>
    public string? ExtraArguments { get; set; }

    /// <summary>The report files written (report.json, report.html, summary.md, junit.xml, those that exist).</summary>
    [Output]
    public ITaskItem[] ReportFiles { get; private set; } = [];

    /// <inheritdoc/>
    protected override string ToolName => OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";

    /// <inheritdoc/>
    protected override Encoding StandardOutputEncoding => Encoding.UTF8;

    /// <inheritdoc/>
    protected override Encoding StandardErrorEncoding => Encoding.UTF8;

    /// <inheritdoc/>
    public override bool Execute()
    {
        base.Execute();
        ReportFiles = [.. new[] { "report.json", "report.html", "summary.md", "junit.xml" }
            .Select(f => Path.Combine(OutputDirectory, f))
            .Where(File.Exists)
            .Select(f => (ITaskItem)new TaskItem(Path.GetFullPath(f)))];
        return !Log.HasLoggedErrors;
    }

    /// <summary>The dotnet host running this build (DOTNET_HOST_PATH), else dotnet on PATH.</summary>
    protected override string GenerateFullPathToTool()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, ToolName);
            if (File.Exists(candidate)) return candidate;
        }
        return ToolName;
    }

    /// <inheritdoc/>
    protected override string GenerateCommandLineCommands()
    {
        var builder = new CommandLineBuilder();
        builder.AppendFileNameIfNotNull(CliPath);
        builder.AppendSwitch("run");
        builder.AppendFileNameIfNotNull(Spec);
        builder.AppendSwitchIfNotNull("--out ", OutputDirectory);
        if (!string.IsNullOrWhiteSpace(Baseline)) builder.AppendSwitchIfNotNull("--baseline ", Baseline);
        if (NoFail) builder.AppendSwitch("--no-fail");
        builder.AppendSwitch("--quiet");
        if (!string.IsNullOrWhiteSpace(ExtraArguments)) builder.AppendTextUnquoted(" " + ExtraArguments);
        return builder.ToString();
    }

    /// <summary>Maps canonical diagnostics to errors/warnings at their file position; other lines are messages.</summary>
    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        if (AuditDiagnostic.TryParse(singleLine, out var d))
        {
            if (d.Severity == DiagnosticSeverity.Error && !NoFail) Log.LogError("model-audit", d.Code, null, d.File, d.Line, d.Column, d.Line, d.Column, d.Message);
            else Log.LogWarning("model-audit", d.Code, null, d.File, d.Line, d.Column, d.Line, d.Column, d.Message);
            return;
        }
        if (singleLine.StartsWith("error: ", StringComparison.Ordinal))
        {
            Log.LogError("model-audit", "MA0000", null, Spec, 0, 0, 0, 0, singleLine["error: ".Length..]);
            return;
        }
        Log.LogMessage(MessageImportance.Normal, singleLine);
    }

    /// <summary>Exit code 2 (gates failed) was already reported through the diagnostics; other failures get one error if none was logged.</summary>
    protected override bool HandleTaskExecutionErrors()
    {
        if (Log.HasLoggedErrors) return false;
        if (ExitCode == AuditExitCodeGateFailed && NoFail) return true;
        Log.LogError("model-audit", "MA0000", null, Spec, 0, 0, 0, 0, $"dotnet-model-audit exited with code {ExitCode}");
        return false;
    }

    /// <summary>The CLI's exit code for a failed gate (the core's AuditExitCode.GateFailed; the task does not load the core).</summary>
    private const int AuditExitCodeGateFailed = 2;
}
