namespace ModelAudit.Audit.Spec;

/// <summary>What an audit input file is to the audit.</summary>
public enum AuditInputKind
{
    /// <summary>The audit spec (YAML).</summary>
    Spec,

    /// <summary>The ONNX model.</summary>
    Model,

    /// <summary>The samples (.npy, .npz or .csv; CSV label columns come from this file too).</summary>
    Data,

    /// <summary>The labels (.npy of class indices).</summary>
    Labels,

    /// <summary>The baseline report.json.</summary>
    Baseline,
}

/// <summary>One file an audit reads, with its absolute path.</summary>
/// <param name="Kind">What the file is.</param>
/// <param name="Path">The absolute path (the file need not exist: the audit reports a missing one).</param>
public sealed record AuditInput(AuditInputKind Kind, string Path);

/// <summary>
/// The files an audit reads, resolved exactly as <c>run</c> resolves them: spec paths against the spec's folder,
/// and the baseline given on the command line (against the working folder) in place of the spec's. Build systems
/// use them as the audit's inputs (the MSBuild target through <c>run SPEC --list-inputs</c>), so a changed model,
/// data, labels or baseline re-runs the audit without globbing.
/// </summary>
public static class AuditInputs
{
    /// <summary>The baseline the audit gates against: <paramref name="baselineOption"/> when given, else the spec's <c>baseline:</c>, else null.</summary>
    /// <param name="spec">The loaded spec.</param>
    /// <param name="baselineOption">The command line's <c>--baseline</c> (relative to the working folder), or null.</param>
    public static string? BaselinePath(AuditSpec spec, string? baselineOption)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return baselineOption is null ? spec.Baseline : Path.GetFullPath(baselineOption);
    }

    /// <summary>The spec, model, data, labels (when a file) and baseline (when any), in that order.</summary>
    /// <param name="spec">The loaded spec.</param>
    /// <param name="baselineOption">The command line's <c>--baseline</c>, or null.</param>
    public static IReadOnlyList<AuditInput> Resolve(AuditSpec spec, string? baselineOption)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var inputs = new List<AuditInput>
        {
            new(AuditInputKind.Spec, Path.GetFullPath(spec.File)),
            new(AuditInputKind.Model, spec.Model),
            new(AuditInputKind.Data, spec.Data.Inputs),
        };
        if (spec.Data.Labels is { } labels) inputs.Add(new(AuditInputKind.Labels, labels));
        if (BaselinePath(spec, baselineOption) is { } baseline) inputs.Add(new(AuditInputKind.Baseline, baseline));
        return inputs;
    }
}
