using ModelAudit.Audit.Yaml;

namespace ModelAudit.Audit.Spec;

/// <summary>
/// An invalid spec, with the file position of the offending node. <see cref="Exception.ToString"/> is not
/// overridden; use <see cref="Diagnostic"/> for the <c>FILE(line,col): error MA0001: message</c> form that
/// MSBuild and editors understand.
/// </summary>
public sealed class AuditSpecException : Exception
{
    /// <summary>The diagnostic code of every spec error.</summary>
    public const string SpecErrorCode = "MA0001";

    /// <summary>Creates the error.</summary>
    public AuditSpecException(string file, SourceMark mark, string message) : base(message)
    {
        File = file;
        Mark = mark;
    }

    /// <summary>The spec file as given.</summary>
    public string File { get; }

    /// <summary>Where the offending node starts.</summary>
    public SourceMark Mark { get; }

    /// <summary><c>FILE(line,col): error MA0001: message</c>.</summary>
    public string Diagnostic => $"{File}({Mark.Line},{Mark.Column}): error {SpecErrorCode}: {Message}";
}
