using System.Text.RegularExpressions;

namespace ModelAudit.Audit.Metrics;

/// <summary>
/// A metric as a gate names it: <c>FAMILY</c>, <c>FAMILY[SELECTOR]</c> or <c>AGG(FAMILY[SELECTOR])</c>, where
/// SELECTOR is an exact tensor name, a glob (<c>*</c> any run of characters including <c>/</c>, <c>?</c> one
/// character) or <c>*</c>, and AGG is min, max or mean. A glob needs an aggregate; an exact name must not have one.
/// </summary>
/// <param name="Family">E.g. <c>conductance.share</c>.</param>
/// <param name="Selector">Layer selector, null for scalar metrics.</param>
/// <param name="Aggregate">Reduction over matched layers.</param>
public sealed partial record MetricExpression(string Family, string? Selector, MetricAggregate? Aggregate)
{
    /// <summary>True when the selector contains glob characters.</summary>
    public bool IsGlob => Selector is not null && Selector.AsSpan().IndexOfAny('*', '?') >= 0;

    /// <summary>Canonical spelling, e.g. <c>min(ite.efficiency[*])</c>.</summary>
    public override string ToString()
    {
        var inner = Selector is null ? Family : $"{Family}[{Selector}]";
        return Aggregate is { } a ? $"{a.ToString().ToLowerInvariant()}({inner})" : inner;
    }

    /// <summary>Parses the text form; returns null and a reason when malformed.</summary>
    public static MetricExpression? TryParse(string text, out string error)
    {
        error = "";
        var m = Syntax().Match(text.Trim());
        if (!m.Success)
        {
            error = $"'{text}' is not a metric name; write FAMILY, FAMILY[LAYER-SELECTOR] or min|max|mean(FAMILY[SELECTOR])";
            return null;
        }
        MetricAggregate? aggregate = m.Groups["agg"].Success ? ParseAggregate(m.Groups["agg"].Value) : null;
        string? selector = m.Groups["sel"].Success ? m.Groups["sel"].Value : null;
        if (selector is { Length: 0 })
        {
            error = $"'{text}': the layer selector is empty; use a tensor name, a glob or *";
            return null;
        }
        return new MetricExpression(m.Groups["family"].Value, selector, aggregate);
    }

    /// <summary>min, max or mean.</summary>
    public static MetricAggregate? ParseAggregate(string text) => text switch
    {
        "min" => MetricAggregate.Min,
        "max" => MetricAggregate.Max,
        "mean" => MetricAggregate.Mean,
        _ => null,
    };

    /// <summary>The layers of <paramref name="layers"/> the selector picks, in their order.</summary>
    public IReadOnlyList<string> Match(IEnumerable<string> layers)
    {
        if (Selector is null) return [];
        if (!IsGlob) return layers.Where(l => l == Selector).ToList();
        // Linear-time matching: a regular expression would backtrack exponentially on hostile globs.
        return layers.Where(l => Spec.GlobPattern.IsMatch(Selector, l)).ToList();
    }

    [GeneratedRegex(@"^(?:(?<agg>min|max|mean)\((?<family>[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)(?:\[(?<sel>[^\]]*)\])?\)|(?<family>[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)(?:\[(?<sel>[^\]]*)\])?)$", RegexOptions.CultureInvariant)]
    private static partial Regex Syntax();
}
