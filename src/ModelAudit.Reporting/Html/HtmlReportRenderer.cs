using System.Globalization;
using HandlebarsDotNet;
using ModelAudit.Audit.Model;
using ModelAudit.Reporting.Svg;

namespace ModelAudit.Reporting.Html;

/// <summary>
/// Renders report.html with Handlebars.Net: templates compiled once per renderer, HTML encoding on,
/// invariant culture. Figures are inline SVG from <see cref="Plots"/>; the page has no scripts and no
/// external references, so it opens from an archived artifact.
/// </summary>
public sealed class HtmlReportRenderer
{
    private readonly HandlebarsTemplate<object, object> _layout;

    /// <summary>Compiles <paramref name="templates"/> (the embedded ones when null).</summary>
    public HtmlReportRenderer(ReportTemplates? templates = null)
    {
        templates ??= ReportTemplates.Embedded;
        var handlebars = Handlebars.Create(new HandlebarsConfiguration { FormatProvider = CultureInfo.InvariantCulture, NoEscape = false });
        foreach (var (name, text) in templates.Partials) handlebars.RegisterTemplate(name, text);
        _layout = handlebars.Compile(templates.Layout);
    }

    /// <summary>The shared renderer over the embedded templates.</summary>
    public static HtmlReportRenderer Default => DefaultRenderer.Value;

    private static readonly Lazy<HtmlReportRenderer> DefaultRenderer = new(() => new HtmlReportRenderer());

    /// <summary>The HTML text of the report.</summary>
    public string Render(AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return _layout(ViewModel(report));
    }

    internal static Dictionary<string, object?> ViewModel(AuditReport report)
    {
        var columns = new List<(string Title, string Family)>();
        foreach (var (title, family) in new[]
        {
            ("share", "conductance.share"), ("delta", "conductance.delta"), ("H(T)", "plane.activation.entropy"), ("I(X;T)", "plane.activation.i_xt"),
            ("I(T;Y)", "plane.activation.i_ty"), ("I(T;Y) null", "plane.activation.i_ty_null"), ("I(X;C)", "plane.conductance.i_xc"),
            ("I(C;Y)", "plane.conductance.i_cy"), ("I(C;Y) null", "plane.conductance.i_cy_null"), ("ITE", "ite.efficiency"),
        })
        {
            if (report.Layers.Any(l => report.Metrics.ContainsKey($"{family}[{l.Name}]"))) columns.Add((title, family));
        }
        var layerNames = new HashSet<string>(report.Layers.Select(l => l.Name), StringComparer.Ordinal);
        return new Dictionary<string, object?>
        {
            ["outcome"] = report.Passed ? "passed" : "failed",
            ["outcomeClass"] = report.Passed ? "passed" : "failed",
            ["specFile"] = report.SpecFile,
            ["specName"] = Path.GetFileName(report.SpecFile),
            ["tool"] = report.ToolVersion,
            ["model"] = new Dictionary<string, object?> { ["path"] = report.Model.Path, ["sha256"] = report.Model.Sha256 },
            ["data"] = new Dictionary<string, object?> { ["path"] = report.Data.Path, ["sha256"] = report.Data.Sha256 },
            ["samples"] = report.Samples.ToString(CultureInfo.InvariantCulture),
            ["seed"] = report.Seed.ToString(CultureInfo.InvariantCulture),
            ["labelSource"] = report.LabelSource,
            ["analyses"] = string.Join(", ", report.Analyses),
            ["baseline"] = report.Baseline is { } b ? $"{b.Path} (sha256 {b.Sha256})" : "none given: regression checks were not run",
            ["warnings"] = report.Warnings.ToList(),
            ["scalars"] = report.Metrics.Where(m => !m.Key.Contains('[', StringComparison.Ordinal))
                .Select(m => new Dictionary<string, object?> { ["name"] = m.Key, ["value"] = Format(m.Value) }).ToList(),
            ["gates"] = report.Gates.Select(g => new Dictionary<string, object?>
            {
                ["status"] = g.StatusName,
                ["metric"] = g.Gate.Metric.ToString(),
                ["line"] = g.Gate.Mark.Line.ToString(CultureInfo.InvariantCulture),
                ["value"] = Format(g.Value),
                ["baseline"] = Format(g.BaselineValue),
                ["delta"] = g.Delta is { } d ? (d >= 0 ? "+" : "") + Format(d) : "",
                ["bound"] = g.BoundText,
                ["severity"] = g.Gate.SeverityName,
                ["message"] = g.Message,
            }).ToList(),
            ["plots"] = Plots.For(report).Select(p => new Dictionary<string, object?> { ["id"] = p.Id, ["title"] = p.Title, ["caption"] = p.Caption, ["svg"] = p.Svg }).ToList(),
            ["columns"] = columns.Select(c => c.Title).ToList(),
            ["layers"] = report.Layers.Select((l, i) => new Dictionary<string, object?>
            {
                ["index"] = (i + 1).ToString(CultureInfo.InvariantCulture),
                ["name"] = l.Name,
                ["op"] = l.OpType,
                ["shape"] = "[" + string.Join(",", l.Shape) + "]",
                ["group"] = l.Group ?? "",
                ["values"] = columns.Select(c => Format(report.Metrics.GetValueOrDefault($"{c.Family}[{l.Name}]")) + ChanceMark(report, l.Name, c.Family)).ToList(),
            }).ToList(),
            ["notes"] = (report.Efficiency ?? []).SelectMany(r => r.Notes.Select(n => $"{r.Layer}: {n}")).ToList(),
            ["dpi"] = (report.Planes?.Dpi ?? []).Where(d => layerNames.Contains(d.Earlier)).Select(d => new Dictionary<string, object?>
            {
                ["quantity"] = d.Quantity, ["earlier"] = d.Earlier, ["later"] = d.Later,
                ["earlierValue"] = Format(d.EarlierValue), ["laterValue"] = Format(d.LaterValue), ["margin"] = Format(d.Margin),
            }).ToList(),
        };
    }

    /// <summary>" ≈ chance" after an I(T;Y) or I(C;Y) within its label-shuffle null (docs/analysis.md), else nothing.</summary>
    internal static string ChanceMark(AuditReport report, string layer, string family)
    {
        var point = report.Planes?.Points.FirstOrDefault(p => p.Layer == layer);
        bool chance = family switch
        {
            "plane.activation.i_ty" => point is { ActivationLabelAboveChance: false },
            "plane.conductance.i_cy" => point is { ConductanceLabelAboveChance: false },
            _ => false,
        };
        return chance ? " ≈ chance" : "";
    }

    internal static string Format(double? v) => v is { } x ? x.ToString("G5", CultureInfo.InvariantCulture) : "–";
}
