using ModelAudit.Audit.Spec;

namespace ModelAudit.Cli;

/// <summary><c>run SPEC --list-inputs [--baseline FILE]</c>: the files the audit reads, for build systems' incrementality.</summary>
internal static class InputList
{
    /// <summary>Prints <see cref="AuditInputs.Resolve"/>'s paths, one a line, and returns 0 (a bad spec has thrown already: exit 3).</summary>
    public static int Print(AuditSpec spec, string? baselineOption, TextWriter output)
    {
        foreach (var input in AuditInputs.Resolve(spec, baselineOption)) output.WriteLine(input.Path);
        return ExitCodes.Ok;
    }
}
