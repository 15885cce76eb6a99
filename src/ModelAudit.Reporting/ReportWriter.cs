using ModelAudit.Audit.Model;
using ModelAudit.Audit.Spec;
using ModelAudit.Reporting.Html;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Reporting;

/// <summary>
/// Writes the report files to a folder atomically: every file is staged under a temporary name first and
/// all are renamed into place only when all are written, so a cancelled or failed run leaves no partial
/// report. Refuses to overwrite the baseline.
/// </summary>
public static class ReportWriter
{
    /// <summary>report.json.</summary>
    public const string JsonFile = "report.json";

    /// <summary>report.html.</summary>
    public const string HtmlFile = "report.html";

    /// <summary>summary.md.</summary>
    public const string MarkdownFile = "summary.md";

    /// <summary>junit.xml.</summary>
    public const string JUnitFile = "junit.xml";

    /// <summary>The files a run with these outputs writes, as full paths.</summary>
    public static IReadOnlyList<string> Targets(string directory, OutputSpec outputs)
        => [.. Enabled(ReportRenderers.Create(), outputs).Select(r => Path.GetFullPath(Path.Combine(directory, r.FileName)))];

    /// <summary>
    /// Throws when a target would replace <paramref name="baseline"/>: the same file however it is spelled,
    /// through symbolic links (of the folder or the file) or a hard link (same device and inode).
    /// </summary>
    /// <exception cref="IOException">The output folder holds the baseline under a report file name.</exception>
    public static void CheckBaseline(IReadOnlyList<string> targets, string? baseline)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (baseline is null) return;
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var resolved = RegularFile.ResolvePath(baseline);
        foreach (var target in targets)
        {
            if (RegularFile.SameFile(target, baseline) || string.Equals(RegularFile.ResolvePath(target), resolved, comparison))
                throw new IOException($"{baseline}: the output would overwrite the baseline; choose another --out folder");
        }
    }

    /// <summary>
    /// Writes the files of every enabled renderer (<see cref="ReportRenderers"/>); returns their paths. All or
    /// nothing: every file is staged, every target checked, then all are renamed into place, and a failed rename
    /// restores the earlier files.
    /// </summary>
    public static IReadOnlyList<string> Write(AuditReport report, string directory, OutputSpec outputs, string? baseline, HtmlReportRenderer? renderer,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var renderers = Enabled(ReportRenderers.Create(renderer), outputs);
        var targets = renderers.Select(r => Path.GetFullPath(Path.Combine(directory, r.FileName))).ToList();
        CheckBaseline(targets, baseline);
        if (File.Exists(directory)) throw new IOException($"{directory}: is a file; --out needs a folder");
        // Every target is checked before anything is written, so a folder named report.html fails fast.
        foreach (var target in targets) StagedFile.CheckTarget(target);
        Directory.CreateDirectory(directory);
        var staged = new List<StagedFile>();
        try
        {
            for (int i = 0; i < renderers.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var write = renderers[i];
                staged.Add(StagedFile.Write(targets[i], stream => write.Write(stream, report)));
            }
            cancellationToken.ThrowIfCancellationRequested();
            StagedFile.CommitAll(staged);
            return targets;
        }
        finally
        {
            foreach (var file in staged) file.Dispose();
        }
    }

    private static List<IReportRenderer> Enabled(IReadOnlyList<IReportRenderer> renderers, OutputSpec outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        return [.. renderers.Where(r => r.IsEnabled(outputs))];
    }
}
