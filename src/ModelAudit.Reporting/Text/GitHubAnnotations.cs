using ModelAudit.Audit.Model;

namespace ModelAudit.Reporting.Text;

/// <summary>
/// GitHub Actions workflow commands for failed and warned gates, worst first (failures, then warnings, each
/// by spec order), at most <see cref="MaxAnnotations"/>, pointing at the gate's line in the spec.
/// </summary>
public static class GitHubAnnotations
{
    /// <summary>GitHub shows at most 10 error annotations per step.</summary>
    public const int MaxAnnotations = 10;

    /// <summary>The workflow command lines.</summary>
    public static IReadOnlyList<string> Lines(AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var file = Property(report.SpecFile.Replace('\\', '/'));
        return [.. report.Gates
            .Where(g => g.Status != GateStatus.Pass)
            .OrderBy(g => g.Status == GateStatus.Fail ? 0 : 1)
            .Take(MaxAnnotations)
            .Select(g => $"::{(g.Status == GateStatus.Fail ? "error" : "warning")} file={file},line={g.Gate.Mark.Line},col={g.Gate.Mark.Column},title={Property("model-audit gate " + g.Gate.Metric)}::{Data(g.Message)}")];
    }

    private static string Data(string s) => s.Replace("%", "%25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);

    private static string Property(string s) => Data(s).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);
}
