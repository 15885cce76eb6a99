using ModelAudit.Audit.Gates;
using ModelAudit.Audit.Model;
using ModelAudit.Audit.Spec;

namespace ModelAudit.Audit.Session;

/// <summary>Process exit codes of every host (the CLI returns them; the MSBuild task maps them to build results).</summary>
public static class AuditExitCode
{
    /// <summary>Passed (warnings allowed), or a gate failed under <c>--no-fail</c>.</summary>
    public const int Ok = 0;

    /// <summary>A bug in the tool.</summary>
    public const int InternalError = 1;

    /// <summary>An error-severity gate failed.</summary>
    public const int GateFailed = 2;

    /// <summary>Invalid spec, model, data, baseline or file system problem.</summary>
    public const int InvalidInput = 3;

    /// <summary>Stopped by Ctrl+C or SIGTERM (the shell convention 128 + SIGINT).</summary>
    public const int Cancelled = 130;
}

/// <summary>
/// The policy of one audit run that every host shares: which output folder and baseline win (the command line over
/// the spec), the diagnostics a finished run reports (one <see cref="AuditDiagnostic"/> per failed or warned gate),
/// and the exit code. The CLI and the MSBuild task only host it.
/// </summary>
/// <param name="spec">The loaded spec.</param>
/// <param name="outputOption">The host's output folder (<c>--out</c>), or null for the spec's <c>outputs.dir</c>.</param>
/// <param name="baselineOption">The host's baseline (<c>--baseline</c>), or null for the spec's <c>baseline:</c>.</param>
/// <param name="noFail">Exit 0 even when an error gate fails (the reports still say so).</param>
public sealed class AuditSession(AuditSpec spec, string? outputOption, string? baselineOption, bool noFail)
{
    /// <summary>The spec.</summary>
    public AuditSpec Spec { get; } = spec ?? throw new ArgumentNullException(nameof(spec));

    /// <summary>The folder the reports go to: the host's option, else the spec's <c>outputs.dir</c>.</summary>
    public string OutputDirectory { get; } = outputOption ?? spec.Outputs.Directory;

    /// <summary>The baseline report.json: the host's option, else the spec's <c>baseline:</c>, else none (one rule with <see cref="AuditInputs"/>).</summary>
    public string? BaselinePath { get; } = AuditInputs.BaselinePath(spec, baselineOption);

    /// <summary>Whether a failed error gate still exits 0.</summary>
    public bool NoFail { get; } = noFail;

    /// <summary>Reads the baseline with <paramref name="read"/> (the report.json reader), or null when there is none.</summary>
    public BaselineReport? LoadBaseline(Func<string, BaselineReport> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return BaselinePath is null ? null : read(BaselinePath);
    }

    /// <summary>One diagnostic per failed (error) or warned gate, at the gate's line in the spec, in spec order.</summary>
    public IReadOnlyList<AuditDiagnostic> Diagnostics(AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return [.. report.Gates.Where(g => g.Status != GateStatus.Pass).Select(g => new AuditDiagnostic(Spec.File, g.Gate.Mark.Line, g.Gate.Mark.Column,
            g.Status == GateStatus.Fail ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
            g.Status == GateStatus.Fail ? AuditDiagnostic.GateFailedCode : AuditDiagnostic.GateWarningCode, g.Message))];
    }

    /// <summary>Notes for the console: regression limits that could not be checked without a baseline.</summary>
    public IReadOnlyList<string> Notes(AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Baseline is null && Spec.Gates.Any(g => g.MaxRegression is not null) ? ["note: no baseline given; regression limits were not checked"] : [];
    }

    /// <summary>The last line: <c>audit passed: N gates, W warnings</c> or <c>audit failed: F of N gates failed</c>.</summary>
    public static string Outcome(AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        int failed = report.Gates.Count(g => g.Status == GateStatus.Fail);
        return failed > 0
            ? $"audit failed: {failed} of {report.Gates.Count} gates failed"
            : $"audit passed: {report.Gates.Count} gates, {report.Gates.Count(g => g.Status == GateStatus.Warn)} warnings";
    }

    /// <summary><see cref="AuditExitCode.GateFailed"/> when an error gate failed (unless <see cref="NoFail"/>), else <see cref="AuditExitCode.Ok"/>.</summary>
    public int ExitCode(AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return !report.Passed && !NoFail ? AuditExitCode.GateFailed : AuditExitCode.Ok;
    }
}
