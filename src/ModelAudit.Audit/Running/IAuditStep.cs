using ModelAudit.Audit.Metrics;
using ModelAudit.Audit.Spec;

namespace ModelAudit.Audit.Running;

/// <summary>
/// One analysis of the audit: a key under <c>analyses:</c> in the spec, a strict parser for its options,
/// the metric families it produces, the earlier outputs it reads and the one output it produces (as types), and
/// the computation. Adding an analysis is one class deriving from <see cref="AuditStep{TOutput}"/> registered in
/// <see cref="AuditStepRegistry.Default"/>.
/// </summary>
internal interface IAuditStep
{
    /// <summary>Key under <c>analyses:</c>, e.g. <c>conductance</c>.</summary>
    string Key { get; }

    /// <summary>Progress label, e.g. <c>Layer conductance</c>.</summary>
    string Title { get; }

    /// <summary>Reads the step's options; every key must be read through <paramref name="options"/> so unknown keys are rejected.</summary>
    /// <param name="options">The mapping under <c>analyses.KEY</c>.</param>
    /// <param name="configured">Keys of every configured analysis (for dependencies).</param>
    IStepOptions Parse(SpecMapping options, IReadOnlyCollection<string> configured);

    /// <summary>The metric families this step produces with these options.</summary>
    IReadOnlyList<MetricDefinition> Produces(IStepOptions options, IReadOnlyCollection<string> configured);

    /// <summary>The type of the one output the step produces (a report section, or what later steps reuse).</summary>
    Type Output { get; }

    /// <summary>The output types of earlier steps this step reads; the spec loader refuses a spec that configures no producer of one.</summary>
    IReadOnlyList<Type> Reads { get; }

    /// <summary>Runs the step: records metrics and warnings on <paramref name="context"/> and returns its output (of type <see cref="Output"/>).</summary>
    object Run(AuditContext context, StepReads reads, IStepOptions options, StepProgress progress, CancellationToken cancellationToken);
}

/// <summary>A step that produces a <typeparamref name="TOutput"/>; <see cref="Reads"/> lists the earlier outputs it takes.</summary>
/// <typeparam name="TOutput">The step's output.</typeparam>
internal abstract class AuditStep<TOutput> : IAuditStep where TOutput : class
{
    public abstract string Key { get; }

    public abstract string Title { get; }

    public Type Output => typeof(TOutput);

    /// <summary>None unless the step overrides it.</summary>
    public virtual IReadOnlyList<Type> Reads => [];

    public abstract IStepOptions Parse(SpecMapping options, IReadOnlyCollection<string> configured);

    public abstract IReadOnlyList<MetricDefinition> Produces(IStepOptions options, IReadOnlyCollection<string> configured);

    object IAuditStep.Run(AuditContext context, StepReads reads, IStepOptions options, StepProgress progress, CancellationToken cancellationToken)
        => Run(context, reads, options, progress, cancellationToken);

    /// <summary>Runs the step and returns its output.</summary>
    public abstract TOutput Run(AuditContext context, StepReads reads, IStepOptions options, StepProgress progress, CancellationToken cancellationToken);
}

/// <summary>A step's parsed options; <see cref="Describe"/> lists them with defaults filled in for the report.</summary>
internal interface IStepOptions
{
    IEnumerable<KeyValuePair<string, string>> Describe();
}

/// <summary>A step chosen by the spec, with its options and position.</summary>
internal sealed record ConfiguredStep(IAuditStep Step, IStepOptions Options, Yaml.SourceMark Mark);
