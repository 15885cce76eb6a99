using System.Globalization;
using System.Net;
using ModelAudit.Audit.Model;
using ModelAudit.Reporting.Svg;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;

namespace ModelAudit.Reporting.Html;

/// <summary>
/// Renders report.html with Scriban: templates parsed once per renderer, every interpolated value HTML-encoded
/// (only the report's own SVG figures and partials are written as markup), invariant culture. The page has no
/// scripts and no external references, so it opens from an archived artifact.
/// </summary>
public sealed class HtmlReportRenderer
{
    /// <summary>How deep partials may include partials (a template that includes itself stops here).</summary>
    private const int MaxPartialDepth = 16;

    private readonly Template _layout;
    private readonly Dictionary<string, Template> _partials = new(StringComparer.Ordinal);

    /// <summary>Parses <paramref name="templates"/> (the embedded ones when null).</summary>
    /// <exception cref="ReportTemplateException">A template does not parse.</exception>
    public HtmlReportRenderer(ReportTemplates? templates = null)
    {
        templates ??= ReportTemplates.Embedded;
        _layout = Parse(ReportTemplates.LayoutFile, templates.Layout);
        foreach (var (name, text) in templates.Partials) _partials[name] = Parse($"partials/{name}{ReportTemplates.Extension}", text);
    }

    /// <summary>The shared renderer over the embedded templates.</summary>
    public static HtmlReportRenderer Default => DefaultRenderer.Value;

    private static readonly Lazy<HtmlReportRenderer> DefaultRenderer = new(() => new HtmlReportRenderer());

    /// <summary>The HTML text of the report.</summary>
    /// <exception cref="ReportTemplateException">A template failed at render time (an unknown variable or partial).</exception>
    public string Render(AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        // Scriban's defaults guard untrusted templates by truncating output at 1 MiB and loops at 1000 iterations; the
        // report's size is bounded by its own data (the 50-layer test), and a truncated report would be silently wrong.
        var context = new HtmlContext(_partials)
        {
            StrictVariables = true, LoopLimit = 0, LimitToString = 0, OutputLimit = 0, EnableRelaxedMemberAccess = false,
        };
        context.PushCulture(CultureInfo.InvariantCulture);
        var globals = ViewModel(report);
        globals.Import("partial", new Func<TemplateContext, string, RawHtml>(context.RenderPartial));
        context.PushGlobal(globals);
        try
        {
            return _layout.Render(context);
        }
        catch (Exception e) when (e is Scriban.Syntax.ScriptRuntimeException or InvalidOperationException)
        {
            throw new ReportTemplateException($"report.html template: {e.Message}");
        }
    }

    private static Template Parse(string name, string text)
    {
        var template = Template.Parse(text, name);
        if (template.HasErrors) throw new ReportTemplateException($"{name}: {string.Join("; ", template.Messages.Select(m => m.ToString()))}");
        return template;
    }

    /// <summary>Markup written as is: the report's SVG figures and rendered partials.</summary>
    /// <param name="Html">The markup.</param>
    internal sealed record RawHtml(string Html)
    {
        public override string ToString() => Html;
    }

    /// <summary>A Scriban context that HTML-encodes every value a template writes, except <see cref="RawHtml"/>.</summary>
    private sealed class HtmlContext(Dictionary<string, Template> partials) : TemplateContext
    {
        private int _depth;

        public override TemplateContext Write(SourceSpan span, object? textAsObject)
        {
            if (textAsObject is null) return this;
            if (textAsObject is RawHtml raw) return Write(raw.Html);
            return Write(WebUtility.HtmlEncode(ObjectToString(textAsObject)));
        }

        public RawHtml RenderPartial(TemplateContext context, string name)
        {
            if (!partials.TryGetValue(name, out var template)) throw new InvalidOperationException($"no partial '{name}' (partials: {string.Join(", ", partials.Keys)})");
            if (_depth >= MaxPartialDepth) throw new InvalidOperationException($"partial '{name}' nests deeper than {MaxPartialDepth} levels");
            _depth++;
            PushOutput();
            try
            {
                var text = template.Render(this);
                return new RawHtml(string.IsNullOrEmpty(text) ? Output.ToString() ?? "" : text);
            }
            finally
            {
                PopOutput();
                _depth--;
            }
        }
    }

    internal static ScriptObject ViewModel(AuditReport report)
    {
        var families = ReportFormat.LayerFamilies(report);
        var layerNames = new HashSet<string>(report.Layers.Select(l => l.Name), StringComparer.Ordinal);
        bool hasBaseline = report.Baseline is not null;
        var changes = report.Changes();
        var model = new ScriptObject
        {
            ["outcome"] = report.Passed ? "passed" : "failed",
            ["spec_file"] = report.SpecFile,
            ["spec_name"] = Path.GetFileName(report.SpecFile),
            ["tool"] = report.ToolVersion,
            ["model"] = Object(("path", report.Model.Path), ("sha256", report.Model.Sha256)),
            ["data"] = Object(("path", report.Data.Path), ("sha256", report.Data.Sha256)),
            ["samples"] = report.Samples.ToString(CultureInfo.InvariantCulture),
            ["seed"] = report.Seed.ToString(CultureInfo.InvariantCulture),
            ["label_source"] = report.LabelSource,
            ["analyses"] = string.Join(", ", report.Analyses),
            ["baseline"] = report.Baseline is { } b ? Object(("path", b.Path), ("sha256", b.Sha256)) : null,
            ["regression_gates"] = report.Gates.Count(g => g.Gate.MaxRegression is not null),
            ["warnings"] = Array(report.Warnings),
            ["scalars"] = Array(report.Scalars.Select(s => Reading(s.Family, s))),
            ["gates"] = Array(report.Gates.Select(g => Object(
                ("status", g.StatusName), ("metric", g.Gate.Metric.ToString()), ("line", g.Gate.Mark.Line.ToString(CultureInfo.InvariantCulture)),
                ("value", ReportFormat.Number(g.Value)), ("baseline", ReportFormat.Number(g.BaselineValue)), ("delta", ReportFormat.Delta(g.Delta)),
                ("bound", g.BoundText), ("severity", g.Gate.SeverityName), ("message", g.Message)))),
            ["changes"] = Array(changes.Take(MaxChanges).Select((c, i) => Object(
                ("rank", (i + 1).ToString(CultureInfo.InvariantCulture)), ("family", c.Reading.Family), ("layer", c.Layer ?? ""),
                ("value", ReportFormat.Number(c.Reading.Value)), ("baseline", ReportFormat.Number(c.Reading.BaselineValue)), ("delta", ReportFormat.Delta(c.Reading.Delta)),
                ("relative", ReportFormat.Percent(c.Reading.RelativeChange)), ("allowance", ReportFormat.Percent(c.Reading.AllowanceUsed)),
                ("status", c.Reading.StatusName), ("status_text", ReportFormat.Status(c.Reading.Status))))),
            ["changes_total"] = changes.Count,
            ["changes_hidden"] = Math.Max(0, changes.Count - MaxChanges),
            ["plots"] = Array(Plots.For(report).Select(p => Object(("id", p.Id), ("title", p.Title), ("caption", p.Caption), ("svg", new RawHtml(p.Svg))))),
            ["columns"] = Array(families.Select(ReportFormat.Title)),
            ["layers"] = Array(report.Layers.Select((l, i) => Object(
                ("index", (i + 1).ToString(CultureInfo.InvariantCulture)), ("name", l.Name), ("op", l.OpType), ("shape", "[" + string.Join(",", l.Shape) + "]"),
                ("group", l.Group ?? ""),
                ("metrics", Array(families.Select(f => l.Metric(f) is { } m
                    ? Reading(ReportFormat.Title(f), m, ReportFormat.ChanceMark(report, l.Name, f))
                    : Object(("name", ReportFormat.Title(f)), ("value", "–"), ("baseline", ""), ("delta", ""), ("status", "none"), ("status_text", "")))))))),
            ["notes"] = Array((report.Efficiency ?? []).SelectMany(r => r.Notes.Select(n => $"{r.Layer}: {n}"))),
            ["dpi"] = Array((report.Planes?.Dpi ?? []).Where(d => layerNames.Contains(d.Earlier)).Select(d => Object(
                ("quantity", d.Quantity), ("earlier", d.Earlier), ("later", d.Later), ("earlier_value", ReportFormat.Number(d.EarlierValue)),
                ("later_value", ReportFormat.Number(d.LaterValue)), ("margin", ReportFormat.Number(d.Margin))))),
        };
        model["has_baseline"] = hasBaseline;
        return model;
    }

    /// <summary>Most rows of the "What changed" table.</summary>
    internal const int MaxChanges = 25;

    private static ScriptObject Reading(string name, MetricReading r, string mark = "") => Object(
        ("name", name), ("value", ReportFormat.Number(r.Value) + mark), ("baseline", r.Status == MetricStatus.NoBaseline ? "" : ReportFormat.Number(r.BaselineValue)),
        ("delta", ReportFormat.Delta(r.Delta)), ("status", r.StatusName), ("status_text", ReportFormat.Status(r.Status)));

    private static ScriptObject Object(params (string Key, object? Value)[] members)
    {
        var o = new ScriptObject();
        foreach (var (k, v) in members) o[k] = v;
        return o;
    }

    private static ScriptArray Array<T>(IEnumerable<T> items)
    {
        var a = new ScriptArray();
        foreach (var item in items) a.Add(item);
        return a;
    }
}

/// <summary>An HTML template does not parse or fails to render; the message names the template.</summary>
public sealed class ReportTemplateException(string message) : Exception(message);
