using System.Globalization;
using ModelAudit.Analysis.Information;
using ModelAudit.Audit.Metrics;
using ModelAudit.Audit.Model;
using ModelAudit.Audit.Running;
using ModelAudit.Audit.Spec;

namespace ModelAudit.Audit.Steps;

/// <summary>Information Transformation Efficiency per layer, with the planes step's estimator and reduced representations.</summary>
internal sealed class IteStep : AuditStep<EfficiencyOutput>
{
    internal sealed record Options(EfficiencyWeights Weights) : IStepOptions
    {
        public IEnumerable<KeyValuePair<string, string>> Describe()
        {
            var inv = CultureInfo.InvariantCulture;
            yield return new("weights.compression", Weights.Compression.ToString("R", inv));
            yield return new("weights.preservation", Weights.Preservation.ToString("R", inv));
            yield return new("weights.usefulness", Weights.Usefulness.ToString("R", inv));
        }
    }

    public override string Key => "ite";

    public override string Title => "Transformation efficiency";

    /// <summary>ITE uses the planes' estimator and reduced representations.</summary>
    public override IReadOnlyList<Type> Reads => [typeof(PlanesOutput)];

    public override IStepOptions Parse(SpecMapping options, IReadOnlyCollection<string> configured)
    {
        var weights = new EfficiencyWeights();
        if (options.Mapping("weights") is { } w)
        {
            weights = new EfficiencyWeights(w.Double("compression") ?? weights.Compression, w.Double("preservation") ?? weights.Preservation,
                w.Double("usefulness") ?? weights.Usefulness);
            if (weights.Compression < 0 || weights.Preservation < 0 || weights.Usefulness < 0 || weights.Compression + weights.Preservation + weights.Usefulness <= 0)
                throw options.Error(w.Node, "'analyses.ite.weights' must be non-negative and not all zero");
            w.Finish();
        }
        options.Finish();
        return new Options(weights);
    }

    public override IReadOnlyList<MetricDefinition> Produces(IStepOptions options, IReadOnlyCollection<string> configured) =>
    [
        new("ite.efficiency", true, "E = a C + b P + g U over the defined terms"),
        new("ite.compression", true, "C = max(0, -(H_l - H_l-1) / H_l-1)"),
        new("ite.preservation", true, "P = I(T_l;T_l+1) / min(H_l, H_l+1); undefined for the last layer"),
        new("ite.usefulness", true, "U = (I(T_l;Y) - I(T_l-1;Y)) / (H(Y) - I(T_l-1;Y))"),
    ];

    public override EfficiencyOutput Run(AuditContext context, StepReads reads, IStepOptions options, StepProgress progress, CancellationToken cancellationToken)
    {
        var o = (Options)options;
        var planes = reads.Get<PlanesOutput>();
        cancellationToken.ThrowIfCancellationRequested();
        var labels = context.Y.Select(v => (int)v).ToArray();
        var known = planes.Section.Points.Select(p => (p.Entropy, p.ActivationLabel.Value)).ToList();
        var rows = new TransformationEfficiency(planes.Estimator, o.Weights).Compute(planes.ReducedInput, labels, planes.ReducedActivations, context.Layers, known);
        foreach (var r in rows)
        {
            context.SetMetric("ite.efficiency", r.Layer, r.Efficiency);
            context.SetMetric("ite.compression", r.Layer, r.Compression);
            context.SetMetric("ite.preservation", r.Layer, r.Preservation);
            context.SetMetric("ite.usefulness", r.Layer, r.Usefulness);
        }
        progress.Advance(context.Layers.Count);
        return new EfficiencyOutput([.. rows.Select(r => new EfficiencyRow(r.Layer, r.Compression, r.Preservation, r.Usefulness, r.Efficiency, r.Notes))]);
    }
}

/// <summary>What the ITE step produces: one row per layer, in depth order.</summary>
/// <param name="Rows">The layers' efficiency terms.</param>
internal sealed record EfficiencyOutput(IReadOnlyList<EfficiencyRow> Rows);
