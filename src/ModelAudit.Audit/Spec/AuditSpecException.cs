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
    public const string SpecErrorCode = Session.AuditDiagnostic.SpecErrorCode;

    /// <summary>Creates the error.</summary>
    public AuditSpecException(string file, SourceMark mark, string message) : base(OneLine(message, MaxMessageLength))
    {
        File = file;
        Mark = mark;
    }

    /// <summary>The spec file as given.</summary>
    public string File { get; }

    /// <summary>Where the offending node starts.</summary>
    public SourceMark Mark { get; }

    /// <summary><c>FILE(line,col): error MA0001: message</c>.</summary>
    public string Diagnostic => new Session.AuditDiagnostic(OneLine(File, 4096), Mark.Line, Mark.Column, Session.DiagnosticSeverity.Error, SpecErrorCode, Message).ToString();

    /// <summary>The longest message kept whole; a longer one (it can only come from echoing the input) is cut.</summary>
    internal const int MaxMessageLength = 2000;

    /// <summary>Control characters (line breaks included) become spaces, and the text is cut, so a diagnostic is always one line.</summary>
    private static string OneLine(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        var chars = (text.Length > max ? text[..max] + "..." : text).ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (char.IsControl(chars[i])) chars[i] = ' ';
        return new string(chars);
    }
}
