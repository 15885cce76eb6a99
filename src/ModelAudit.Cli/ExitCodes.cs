using ModelAudit.Audit.Session;

namespace ModelAudit.Cli;

/// <summary>Process exit codes (the core's <see cref="AuditExitCode"/>).</summary>
internal static class ExitCodes
{
    public const int Ok = AuditExitCode.Ok;
    public const int InternalError = AuditExitCode.InternalError;
    public const int GateFailed = AuditExitCode.GateFailed;
    public const int InvalidInput = AuditExitCode.InvalidInput;

    /// <summary>Stopped by Ctrl+C (the shell convention 128 + SIGINT).</summary>
    public const int Cancelled = AuditExitCode.Cancelled;
}
