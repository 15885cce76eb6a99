namespace ModelAudit.Cli;

/// <summary>Process exit codes.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int InternalError = 1;
    public const int GateFailed = 2;
    public const int InvalidInput = 3;

    /// <summary>Stopped by Ctrl+C (the shell convention 128 + SIGINT).</summary>
    public const int Cancelled = 130;
}
