using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

// One diagnostic format for the CLI (which writes it) and the MSBuild task (which reads it back from the CLI's
// output): this file is compiled into both, so the two cannot drift apart.
#if MODELAUDIT_MSBUILD
namespace ModelAudit.MSBuild;
#else
namespace ModelAudit.Audit.Session;
#endif

/// <summary>Severity of an <see cref="AuditDiagnostic"/>.</summary>
#if MODELAUDIT_MSBUILD
internal
#else
public
#endif
enum DiagnosticSeverity
{
    /// <summary>Fails the run (or the build).</summary>
    Error,

    /// <summary>Reported; does not fail.</summary>
    Warning,
}

/// <summary>
/// A problem at a position in the spec, in the canonical one-line form <c>FILE(line,col): error|warning MA0000: message</c>
/// that MSBuild, editors and problem matchers understand.
/// </summary>
/// <param name="File">The spec file as given.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Severity">Error or warning.</param>
/// <param name="Code">MA0001 spec error, MA0002 failed gate, MA0003 failed warning gate.</param>
/// <param name="Message">One line.</param>
#if MODELAUDIT_MSBUILD
internal
#else
public
#endif
sealed partial record AuditDiagnostic(string File, int Line, int Column, DiagnosticSeverity Severity, string Code, string Message)
{
    /// <summary>An invalid spec.</summary>
    public const string SpecErrorCode = "MA0001";

    /// <summary>A failed error-severity gate.</summary>
    public const string GateFailedCode = "MA0002";

    /// <summary>A failed warning-severity gate.</summary>
    public const string GateWarningCode = "MA0003";

    /// <summary>The canonical line.</summary>
    public override string ToString()
        => $"{File}({Line.ToString(CultureInfo.InvariantCulture)},{Column.ToString(CultureInfo.InvariantCulture)}): {(Severity == DiagnosticSeverity.Error ? "error" : "warning")} {Code}: {Message}";

    /// <summary>Reads a line written by <see cref="ToString"/>; false for any other line.</summary>
    public static bool TryParse(string line, [NotNullWhen(true)] out AuditDiagnostic? diagnostic)
    {
        diagnostic = null;
        if (line is null || Syntax().Match(line) is not { Success: true } m) return false;
        if (!int.TryParse(m.Groups["line"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int row)
            || !int.TryParse(m.Groups["col"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int column)) return false;
        diagnostic = new AuditDiagnostic(m.Groups["file"].Value, row, column, m.Groups["kind"].Value == "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
            m.Groups["code"].Value, m.Groups["message"].Value);
        return true;
    }

    [GeneratedRegex(@"^(?<file>.+?)\((?<line>\d+),(?<col>\d+)\): (?<kind>error|warning) (?<code>MA\d{4}): (?<message>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex Syntax();
}
