using System.Globalization;
using System.Net;
using System.Text;

namespace ModelAudit.Reporting.Svg;

/// <summary>Builds one inline SVG element as text: invariant numbers with two decimals, escaped text.</summary>
internal sealed class SvgBuilder
{
    private readonly StringBuilder _text = new();

    public SvgBuilder(string id, double width, double height, string title)
    {
        // No fixed size: the viewBox keeps the aspect ratio and the page's CSS makes the figure as wide as its card.
        _text.Append($"<svg id=\"{Escape(id)}\" class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {N(width)} {N(height)}\" width=\"100%\" preserveAspectRatio=\"xMidYMid meet\" role=\"img\" aria-label=\"{Escape(title)}\">");
        _text.Append($"<title>{Escape(title)}</title>");
    }

    public static string N(double v) => double.IsFinite(v) ? Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture) : "0";

    public static string Escape(string s) => WebUtility.HtmlEncode(s);

    public SvgBuilder Raw(string element)
    {
        _text.Append(element);
        return this;
    }

    public SvgBuilder Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string extra = "", string? cssClass = null)
        => Raw($"<line{Class(cssClass)} x1=\"{N(x1)}\" y1=\"{N(y1)}\" x2=\"{N(x2)}\" y2=\"{N(y2)}\" stroke=\"{stroke}\" stroke-width=\"{N(width)}\"{extra}/>");

    public SvgBuilder Rect(double x, double y, double w, double h, string fill, string? tooltip = null, string? cssClass = null, string extra = "")
        => Raw($"<rect{Class(cssClass)} x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(Math.Max(0, w))}\" height=\"{N(Math.Max(0, h))}\" fill=\"{fill}\"{extra}>{Tip(tooltip)}</rect>");

    public SvgBuilder Circle(double cx, double cy, double r, string fill, string? tooltip = null, string stroke = "#fff", string? cssClass = null, string extra = "")
        => Raw($"<circle{Class(cssClass)} cx=\"{N(cx)}\" cy=\"{N(cy)}\" r=\"{N(r)}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1\"{extra}>{Tip(tooltip)}</circle>");

    public SvgBuilder Text(double x, double y, string text, string anchor = "start", double size = 11, string fill = "#333", string extra = "", string? cssClass = null)
        => Raw($"<text{Class(cssClass)} x=\"{N(x)}\" y=\"{N(y)}\" font-size=\"{N(size)}\" text-anchor=\"{anchor}\" fill=\"{fill}\"{extra}>{Escape(text)}</text>");

    public SvgBuilder Polyline(IEnumerable<(double X, double Y)> points, string stroke, double width = 1.5, string? cssClass = null, string extra = "")
        => Raw($"<polyline{Class(cssClass)}{extra} fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{N(width)}\" points=\"{string.Join(" ", points.Select(p => N(p.X) + "," + N(p.Y)))}\"/>");

    public SvgBuilder Path(string d, string stroke, double width, string fill = "none", string? tooltip = null, double opacity = 1)
        => Raw($"<path d=\"{d}\" stroke=\"{stroke}\" stroke-width=\"{N(width)}\" fill=\"{fill}\" stroke-opacity=\"{N(opacity)}\">{Tip(tooltip)}</path>");

    public override string ToString() => _text + "</svg>";

    private static string Class(string? cssClass) => cssClass is null ? "" : $" class=\"{Escape(cssClass)}\"";

    private static string Tip(string? tooltip) => tooltip is null ? "" : $"<title>{Escape(tooltip)}</title>";
}
