using ModelAudit.Audit.Metrics;
using ModelAudit.Audit.Spec;

namespace ModelAudit.Audit.Running;

/// <summary>
/// One analysis of the audit: a key under <c>analyses:</c> in the spec, a strict parser for its options,
/// the metric families it produces, and the computation. Adding an analysis is one class registered in
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

    /// <summary>Runs the step, adding metrics and report sections to <paramref name="context"/>.</summary>
    void Run(AuditContext context, IStepOptions options, StepProgress progress, CancellationToken cancellationToken);
}

/// <summary>A step's parsed options; <see cref="Describe"/> lists them with defaults filled in for the report.</summary>
internal interface IStepOptions
{
    IEnumerable<KeyValuePair<string, string>> Describe();
}

/// <summary>A step chosen by the spec, with its options and position.</summary>
internal sealed record ConfiguredStep(IAuditStep Step, IStepOptions Options, Yaml.SourceMark Mark);
