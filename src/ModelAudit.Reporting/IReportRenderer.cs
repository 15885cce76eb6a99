using ModelAudit.Audit.Model;
using ModelAudit.Audit.Spec;

namespace ModelAudit.Reporting;

/// <summary>
/// One report file: its name, whether the spec's outputs ask for it, and how to write it. Add a format by
/// implementing this and registering it with <see cref="ReportRenderers.Register"/>.
/// </summary>
public interface IReportRenderer
{
    /// <summary>The file name in the output folder, e.g. <c>report.html</c>.</summary>
    string FileName { get; }

    /// <summary>True when <paramref name="outputs"/> asks for this file.</summary>
    bool IsEnabled(OutputSpec outputs);

    /// <summary>Writes the file's bytes.</summary>
    void Write(Stream stream, AuditReport report);
}
