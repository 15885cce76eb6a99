using ModelAudit.Audit.Spec;
using ModelAudit.Onnx;

namespace ModelAudit.Audit.Running;

/// <summary>A runtime layer of the model: a non-constant node output.</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="OpType">Producing node's op type.</param>
/// <param name="Shape">Shape per sample.</param>
internal sealed record ModelLayer(string Name, string OpType, IReadOnlyList<int> Shape);

/// <summary>Turns the spec's <c>layers:</c> into tensor names in depth (node) order.</summary>
internal static class LayerResolver
{
    /// <summary>Op types <c>auto</c> picks: the nonlinearities and residual joins, where representations change.</summary>
    internal static readonly string[] AutoOpTypes = ["Relu", "Add"];

    /// <summary>Every runtime node output in node order, the model outputs excluded.</summary>
    public static IReadOnlyList<ModelLayer> Candidates(OnnxModel model, int batchSize) => Candidates(model, model.Summarize(batchSize));

    /// <summary>As <see cref="Candidates(OnnxModel, int)"/> for a batch shaped like the data (free dimensions included).</summary>
    public static IReadOnlyList<ModelLayer> Candidates(OnnxModel model, int[] inputShape) => Candidates(model, model.Summarize(model.ShapesForData(inputShape)));

    private static IReadOnlyList<ModelLayer> Candidates(OnnxModel model, IReadOnlyList<OnnxNodeSummary> nodes)
    {
        var outputs = model.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        return [.. nodes
            .SelectMany(n => n.Outputs.Where(o => !o.IsConstant && !outputs.Contains(o.Name)).Select(o => new ModelLayer(o.Name, n.OpType, [.. o.Shape.Skip(1)])))];
    }

    /// <summary><c>auto</c>: Relu and Add outputs; all runtime layers when there are fewer than two of those.</summary>
    public static IReadOnlyList<ModelLayer> Auto(IReadOnlyList<ModelLayer> candidates)
    {
        var picked = candidates.Where(c => AutoOpTypes.Contains(c.OpType)).ToList();
        return picked.Count >= 2 ? picked : candidates;
    }

    /// <exception cref="AuditSpecException">An entry matches no layer.</exception>
    public static IReadOnlyList<ModelLayer> Resolve(LayerSelection selection, IReadOnlyList<ModelLayer> candidates, string specFile)
    {
        if (selection.Auto) return Auto(candidates);
        var chosen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in selection.Entries)
        {
            var p = entry.Pattern;
            List<ModelLayer> matched;
            if (p.StartsWith("op:", StringComparison.Ordinal)) matched = [.. candidates.Where(c => c.OpType == p[3..])];
            else if (GlobPattern.IsGlob(p)) matched = [.. candidates.Where(c => GlobPattern.IsMatch(p, c.Name))];
            else matched = [.. candidates.Where(c => c.Name == p)];
            if (matched.Count == 0)
            {
                var near = candidates.Where(c => c.Name.Contains(p.Trim('*', '?', '/'), StringComparison.OrdinalIgnoreCase)).Take(5).Select(c => c.Name).ToList();
                var hint = near.Count > 0 ? "; close: " + string.Join(", ", near) : "; layers: " + string.Join(", ", candidates.Take(8).Select(c => c.Name)) + (candidates.Count > 8 ? ", ..." : "");
                throw new AuditSpecException(specFile, entry.Mark, $"layer entry '{p}' matches no layer of the model{hint}");
            }
            foreach (var m in matched) chosen.Add(m.Name);
        }
        return [.. candidates.Where(c => chosen.Contains(c.Name))];
    }
}
