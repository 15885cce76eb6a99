using System.Globalization;
using ModelAudit.Audit.Model;

namespace ModelAudit.Reporting.Svg;

/// <summary>One figure of the HTML report.</summary>
/// <param name="Id">The figure's id (stable; tests count them); its svg element is <c>ID-svg</c>.</param>
/// <param name="Title">Heading.</param>
/// <param name="Caption">What it shows.</param>
/// <param name="Svg">The inline SVG markup.</param>
public sealed record Plot(string Id, string Title, string Caption, string Svg);

/// <summary>
/// Draws the report's figures as inline SVG, from the report alone. With a baseline every figure that can shows it
/// beside the run, each baseline mark in class <c>baseline</c>: ghosted plane points joined to the new ones, markers
/// on the ITE and conductance-share bars, a difference heat map, the baseline's DPI count.
/// </summary>
public static class Plots
{
    /// <summary>The CSS class of every mark that draws a baseline value.</summary>
    public const string BaselineClass = "baseline";

    private const double Width = 960, Height = 420, Left = 64, Right = 24, Top = 40, Bottom = 50;
    private const string BaselineColour = "#222";

    /// <summary>Every figure the report has data for, in display order.</summary>
    public static IReadOnlyList<Plot> For(AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var plots = new List<Plot>();
        var groupIndex = GroupIndex(report);
        bool hasBaseline = report.Baseline is not null;
        string vsBaseline = hasBaseline ? " Hollow dashed marks are the baseline, joined to this run's point." : "";
        if (report.Planes is { } planes)
        {
            plots.Add(new Plot("plot-plane-activation", "Activation information plane",
                $"I(X;T) against I(T;Y) per layer ({planes.Estimator}), joined in depth order; bars are the bootstrap spread; colour is the layer group.{vsBaseline}",
                PlanePlot("plot-plane-activation", "Activation plane",
                    [.. planes.Points.Select(p => new PlaneEntry(p.Layer, p.InputActivation, p.ActivationLabel,
                        Baseline(report, p.Layer, "plane.activation.i_xt"), Baseline(report, p.Layer, "plane.activation.i_ty")))],
                    "I(X;T) bits", "I(T;Y) bits", groupIndex, GroupNames(report))));
            if (planes.Points.Any(p => p.InputConductance is not null))
                plots.Add(new Plot("plot-plane-conductance", "Conductance information plane",
                    $"I(X;C) against I(C;Y) per layer, joined in depth order; bars are the bootstrap spread.{vsBaseline}",
                    PlanePlot("plot-plane-conductance", "Conductance plane",
                        [.. planes.Points.Select(p => new PlaneEntry(p.Layer, p.InputConductance, p.ConductanceLabel,
                            Baseline(report, p.Layer, "plane.conductance.i_xc"), Baseline(report, p.Layer, "plane.conductance.i_cy")))],
                        "I(X;C) bits", "I(C;Y) bits", groupIndex, GroupNames(report))));
            double? baselineDpi = hasBaseline ? report.Scalars.FirstOrDefault(s => s.Family == "dpi.violations")?.BaselineValue : null;
            plots.Add(new Plot("plot-dpi", "Data-processing inequality findings", planes.Dpi.Count == 0
                    ? "No layer pair where information rose with depth beyond the spread."
                    : $"{planes.Dpi.Count} layer pairs where I(X;T) or I(T;Y) rose with depth beyond the spread; arc width is the margin.",
                DpiPlot(report.Layers.Select(l => l.Name).ToList(), planes.Dpi, hasBaseline, baselineDpi)));
        }
        if (report.Efficiency is { } efficiency)
            plots.Add(new Plot("plot-ite", "Information transformation efficiency",
                "Compression, preservation, usefulness and efficiency per layer. A bar at zero is a value of zero (drawn as a thin line); \"n/a\" marks a term that is undefined for that layer (see the notes)."
                + (hasBaseline ? " Black dashed ticks are the baseline's values." : ""),
                IteBars(efficiency, hasBaseline ? report : null)));
        if (report.Conductance is { } conductance)
        {
            plots.Add(new Plot("plot-conductance-share", "Conductance share",
                "Each layer's share of the total mean absolute conductance." + (hasBaseline ? " Black ticks are the baseline's shares." : ""),
                ShareBars(conductance.Share, groupIndex, hasBaseline ? layer => Baseline(report, layer, "conductance.share") : null)));
            plots.Add(new Plot("plot-attribution-heatmap", "Attribution heat map", "Mean |conductance| per channel or unit, each row scaled to its maximum.",
                Heatmap(conductance.Heatmap, "plot-attribution-heatmap-svg", "Attribution heat map", "channel / unit", false)));
            if (report.BaselineHeatmap is { } before && DifferenceRows(conductance.Heatmap, before) is { Count: > 0 } rows)
                plots.Add(new Plot("plot-attribution-difference", "Attribution change against the baseline",
                    "This run's mean |conductance| per channel or unit minus the baseline's, as a share of the larger of the two rows' maxima: blue rose, red fell. Layers whose width changed are left out.",
                    DifferenceMap(rows, "plot-attribution-difference-svg", "Attribution change against the baseline", "channel / unit", "unit")));
        }
        if (report.Graph is { } graph)
        {
            var baselineGraph = report.BaselineGraph;
            plots.Add(new Plot("plot-nif-graph", "Neural information flow graph", "Layered layout; node size is betweenness, colour is community (legend), edge width is flow."
                    + (baselineGraph is null ? "" : " Dashed rings are the baseline's betweenness of the same unit (units the baseline did not select have none)."),
                GraphPlot(graph, baselineGraph)));
            var attribution = AttributionRows(graph);
            plots.Add(new Plot("plot-nif-attribution", "NIF attribution", "Flow attribution from each input feature (row) to each class (column): the sum over paths of the product of flows, each row scaled to its maximum.",
                Heatmap(attribution, "plot-nif-attribution-svg", "NIF attribution", "class", true)));
            if (baselineGraph is not null && DifferenceRows(attribution, AttributionRows(baselineGraph)) is { Count: > 0 } nifRows)
                plots.Add(new Plot("plot-nif-attribution-difference", "NIF attribution change against the baseline",
                    "This run's flow attribution minus the baseline's, per input feature (row) and class (column), as a share of the larger of the two rows' maxima: blue rose, red fell. Rows whose class count changed are left out.",
                    DifferenceMap(nifRows, "plot-nif-attribution-difference-svg", "NIF attribution change against the baseline", "class", "class")));
        }
        return plots;
    }

    private static double? Baseline(AuditReport report, string layer, string family)
        => report.Layers.FirstOrDefault(l => l.Name == layer)?.Metric(family)?.BaselineValue;

    private static Dictionary<string, int> GroupIndex(AuditReport report)
    {
        var groups = report.Layers.Select(l => l.Group ?? "").Distinct().ToList();
        return report.Layers.ToDictionary(l => l.Name, l => groups.IndexOf(l.Group ?? ""), StringComparer.Ordinal);
    }

    private static IReadOnlyList<string> GroupNames(AuditReport report) => [.. report.Layers.Select(l => l.Group ?? "").Distinct()];

    /// <summary>One layer on a plane: this run's estimates and the baseline's values.</summary>
    internal sealed record PlaneEntry(string Layer, PlaneValue? X, PlaneValue? Y, double? BaselineX = null, double? BaselineY = null);

    internal static string PlanePlot(string id, string title, IReadOnlyList<PlaneEntry> points, string xLabel, string yLabel,
        IReadOnlyDictionary<string, int> group, IReadOnlyList<string> groupNames)
    {
        var svg = new SvgBuilder(id + "-svg", Width, Height, title);
        // Undefined estimates (NaN, with the reason among the report's warnings) have no place on the plot; an
        // undefined spread draws no bar.
        static PlaneValue? Finite(PlaneValue? v) => v is { } p && double.IsFinite(p.Value) ? p with { Spread = double.IsFinite(p.Spread) ? p.Spread : 0 } : null;
        var valid = points.Select(p => (p.Layer, X: Finite(p.X), Y: Finite(p.Y), p.BaselineX, p.BaselineY)).Where(p => p.X is not null && p.Y is not null)
            .Select(p => (p.Layer, X: p.X!, Y: p.Y!, Base: p.BaselineX is { } bx && p.BaselineY is { } by && double.IsFinite(bx) && double.IsFinite(by) ? (bx, by) : ((double, double)?)null))
            .ToList();
        var xs = valid.SelectMany(p => new[] { p.X.Value - p.X.Spread, p.X.Value + p.X.Spread }.Concat(p.Base is { } b ? [b.Item1] : [])).ToList();
        var ys = valid.SelectMany(p => new[] { p.Y.Value - p.Y.Spread, p.Y.Value + p.Y.Spread }.Concat(p.Base is { } b ? [b.Item2] : [])).ToList();
        var x = new Axis(xs.DefaultIfEmpty(0).Min(), xs.DefaultIfEmpty(1).Max(), Left, Width - Right);
        var y = new Axis(ys.DefaultIfEmpty(0).Min(), ys.DefaultIfEmpty(1).Max(), Height - Bottom, Top);
        Frame(svg, x, y, xLabel, yLabel);
        var ghosts = valid.Where(p => p.Base is not null).ToList();
        if (ghosts.Count > 0)
            svg.Polyline(ghosts.Select(p => (x.Map(p.Base!.Value.Item1), y.Map(p.Base!.Value.Item2))), "#bbb", 1, BaselineClass, " stroke-dasharray=\"4 3\"");
        svg.Polyline(valid.Select(p => (x.Map(p.X.Value), y.Map(p.Y.Value))), "#999");
        for (int i = 0; i < valid.Count; i++)
        {
            var (layer, px, py, b) = valid[i];
            double cx = x.Map(px.Value), cy = y.Map(py.Value);
            string colour = Palette.Category(group.GetValueOrDefault(layer));
            if (b is { } before)
            {
                double bx = x.Map(before.Item1), by = y.Map(before.Item2);
                svg.Line(bx, by, cx, cy, colour, 1, " stroke-dasharray=\"3 3\"", BaselineClass);
                svg.Circle(bx, by, 5, "none", $"baseline {i + 1}. {layer}: ({Axis.Label(before.Item1)}, {Axis.Label(before.Item2)})", colour, BaselineClass,
                    " stroke-dasharray=\"2 2\" stroke-opacity=\"0.8\"");
            }
            svg.Line(x.Map(px.Value - px.Spread), cy, x.Map(px.Value + px.Spread), cy, colour, 1.5);
            svg.Line(cx, y.Map(py.Value - py.Spread), cx, y.Map(py.Value + py.Spread), colour, 1.5);
            svg.Circle(cx, cy, 5, colour, $"{i + 1}. {layer}: ({Axis.Label(px.Value)} ± {Axis.Label(px.Spread)}, {Axis.Label(py.Value)} ± {Axis.Label(py.Spread)})");
            svg.Text(cx + 7, cy - 6, (i + 1).ToString(CultureInfo.InvariantCulture), size: 11);
        }
        double lx = Left;
        for (int g = 0; g < groupNames.Count; g++)
        {
            if (groupNames[g].Length == 0) continue;
            svg.Circle(lx + 6, 16, 5, Palette.Category(g));
            svg.Text(lx + 15, 20, groupNames[g], size: 12);
            lx += 24 + 7 * groupNames[g].Length;
        }
        if (ghosts.Count > 0)
        {
            svg.Circle(lx + 6, 16, 5, "none", null, "#555", BaselineClass, " stroke-dasharray=\"2 2\"");
            svg.Text(lx + 15, 20, "baseline", size: 12, cssClass: BaselineClass);
        }
        return svg.ToString();
    }

    internal static string DpiPlot(IReadOnlyList<string> layers, IReadOnlyList<DpiRow> findings, bool hasBaseline = false, double? baselineCount = null)
    {
        double h = 240, baseY = 190;
        var svg = new SvgBuilder("plot-dpi-svg", Width, h, "DPI findings");
        double step = layers.Count > 1 ? (Width - Left - Right) / (layers.Count - 1) : 0;
        double X(int i) => Left + i * step;
        svg.Line(Left, baseY, Width - Right, baseY, "#333");
        for (int i = 0; i < layers.Count; i++)
        {
            svg.Circle(X(i), baseY, 4, "#555", $"{i + 1}. {layers[i]}");
            svg.Text(X(i), baseY + 18, (i + 1).ToString(CultureInfo.InvariantCulture), "middle", 11);
        }
        double maxMargin = findings.Select(f => f.Margin).DefaultIfEmpty(1).Max();
        foreach (var f in findings)
        {
            int a = IndexOf(layers, f.Earlier), b = IndexOf(layers, f.Later);
            if (a < 0 || b < 0) continue;
            double r = (X(b) - X(a)) / 2;
            svg.Path($"M {SvgBuilder.N(X(a))} {SvgBuilder.N(baseY)} A {SvgBuilder.N(r)} {SvgBuilder.N(Math.Min(r, baseY - 40))} 0 0 1 {SvgBuilder.N(X(b))} {SvgBuilder.N(baseY)}",
                DpiColour(f.Quantity), 1 + 4 * f.Margin / maxMargin, tooltip: $"{f.Quantity}: {f.Earlier} {Axis.Label(f.EarlierValue)} -> {f.Later} {Axis.Label(f.LaterValue)} (margin {Axis.Label(f.Margin)} bits)", opacity: 0.7);
        }
        if (findings.Count == 0) svg.Text(Width / 2, 80, "no DPI violations", "middle", 14, "#2a7");
        // Legend: which colour is which quantity.
        svg.Line(Left, 16, Left + 24, 16, DpiColour("i_xt"), 3);
        svg.Text(Left + 30, 20, "I(X;T) rose with depth", size: 12);
        svg.Line(Left + 220, 16, Left + 244, 16, DpiColour("i_ty"), 3);
        svg.Text(Left + 250, 20, "I(T;Y) rose with depth", size: 12);
        if (hasBaseline)
            svg.Text(Width - Right, 20, $"baseline: {(baselineCount is { } n ? Axis.Label(n) : "–")} violations, this run: {findings.Count}", "end", 12, BaselineColour, cssClass: BaselineClass);
        svg.Text(Width / 2, h - 8, "layer (depth order)", "middle");
        return svg.ToString();
    }

    private static string DpiColour(string quantity) => quantity == "i_xt" ? "#1f77b4" : "#ff7f0e";

    internal static string IteBars(IReadOnlyList<EfficiencyRow> rows, AuditReport? withBaseline = null)
    {
        var svg = new SvgBuilder("plot-ite-svg", Width, Height, "ITE per layer");
        var series = new (string Name, string Family, Func<EfficiencyRow, double?> Get)[]
        {
            ("compression", "ite.compression", r => r.Compression), ("preservation", "ite.preservation", r => r.Preservation),
            ("usefulness", "ite.usefulness", r => r.Usefulness), ("efficiency", "ite.efficiency", r => r.Efficiency),
        };
        double? BaselineOf(EfficiencyRow r, int s) => withBaseline is null ? null : Baseline(withBaseline, r.Layer, series[s].Family);
        var values = rows.SelectMany(r => series.Select(s => s.Get(r))).Concat(rows.SelectMany(r => Enumerable.Range(0, series.Length).Select(s => BaselineOf(r, s))))
            .Where(v => v is { } d && double.IsFinite(d)).Select(v => v!.Value).ToList();
        var y = new Axis(Math.Min(0, values.DefaultIfEmpty(0).Min()), Math.Max(1, values.DefaultIfEmpty(1).Max()), Height - Bottom, Top);
        Frame(svg, null, y, "layer (depth order)", "score");
        double slot = (Width - Left - Right) / Math.Max(1, rows.Count), bar = slot * 0.8 / series.Length;
        for (int i = 0; i < rows.Count; i++)
        {
            double x0 = Left + i * slot + slot * 0.1;
            for (int s = 0; s < series.Length; s++)
            {
                double bx = x0 + s * bar;
                if (series[s].Get(rows[i]) is { } v && double.IsFinite(v))
                {
                    double top = y.Map(Math.Max(v, 0)), bottom = y.Map(Math.Min(v, 0));
                    // A zero keeps a visible 1.5-unit bar so it does not read as missing.
                    if (bottom - top < 1.5) (top, bottom) = (y.Map(0) - 0.75, y.Map(0) + 0.75);
                    svg.Rect(bx, top, bar * 0.95, bottom - top, Palette.Category(s), $"{rows[i].Layer} {series[s].Name}: {Axis.Label(v)}");
                }
                else svg.Text(bx + bar * 0.47, y.Map(0) - 4, "n/a", "middle", 9, "#999", $" transform=\"rotate(-90 {SvgBuilder.N(bx + bar * 0.47)} {SvgBuilder.N(y.Map(0) - 4)})\"");
                if (BaselineOf(rows[i], s) is { } before && double.IsFinite(before))
                    svg.Line(bx - 2, y.Map(before), bx + bar * 0.95 + 2, y.Map(before), BaselineColour, 2, " stroke-dasharray=\"4 2\"", BaselineClass);
            }
            svg.Text(Left + (i + 0.5) * slot, Height - Bottom + 16, (i + 1).ToString(CultureInfo.InvariantCulture), "middle", 11);
        }
        for (int s = 0; s < series.Length; s++)
        {
            svg.Rect(Left + 10 + s * 140, 8, 12, 12, Palette.Category(s));
            svg.Text(Left + 26 + s * 140, 19, series[s].Name, size: 12);
        }
        if (withBaseline is not null)
        {
            svg.Line(Left + 10 + 4 * 140, 14, Left + 34 + 4 * 140, 14, BaselineColour, 2, " stroke-dasharray=\"4 2\"", BaselineClass);
            svg.Text(Left + 40 + 4 * 140, 19, "baseline", size: 12, cssClass: BaselineClass);
        }
        return svg.ToString();
    }

    internal static string ShareBars(IReadOnlyList<KeyValuePair<string, double>> share, IReadOnlyDictionary<string, int> group, Func<string, double?>? baseline = null)
    {
        double rowHeight = 20, left = 300, h = Top + Bottom + rowHeight * Math.Max(1, share.Count);
        var svg = new SvgBuilder("plot-conductance-share-svg", Width, h, "Conductance share per layer");
        var before = share.Select(s => baseline?.Invoke(s.Key)).ToList();
        double max = share.Select(s => s.Value).Concat(before.Where(b => b is { } v && double.IsFinite(v)).Select(b => b!.Value)).DefaultIfEmpty(1).Max();
        var x = new Axis(0, Math.Max(1e-9, max), left, Width - Right - 60);
        for (int i = 0; i < share.Count; i++)
        {
            var (layer, v) = share[i];
            double y0 = Top + i * rowHeight;
            svg.Text(left - 6, y0 + 14, Shorten(layer, 44), "end", 11);
            svg.Rect(left, y0 + 3, x.Map(v) - left, rowHeight - 6, Palette.Category(group.GetValueOrDefault(layer)), $"{layer}: {Axis.Label(v * 100)}%");
            svg.Text(x.Map(v) + 4, y0 + 14, Axis.Label(v * 100) + "%", size: 11);
            if (before[i] is { } b && double.IsFinite(b))
                svg.Rect(x.Map(b) - 1.25, y0, 2.5, rowHeight, BaselineColour, $"baseline {layer}: {Axis.Label(b * 100)}%", BaselineClass);
        }
        if (baseline is not null)
        {
            svg.Line(left, 12, left, 28, BaselineColour, 2.5, cssClass: BaselineClass);
            svg.Text(left + 6, 24, "baseline share", size: 12, cssClass: BaselineClass);
        }
        svg.Text((left + Width) / 2, h - 12, "share of total |conductance|", "middle");
        return svg.ToString();
    }

    internal static string Heatmap(IReadOnlyList<KeyValuePair<string, IReadOnlyList<double>>> rows, string id, string title, string xLabel, bool columnTicks)
    {
        double rowHeight = 18, left = 300, right = Width - Right - 70;
        double h = Top + Bottom + 14 + rowHeight * Math.Max(1, rows.Count);
        var svg = new SvgBuilder(id, Width, h, title);
        int columns = rows.Select(r => r.Value.Count).DefaultIfEmpty(0).Max();
        for (int i = 0; i < rows.Count; i++)
        {
            var (layer, values) = rows[i];
            double max = values.Where(double.IsFinite).DefaultIfEmpty(0).Max();
            double y0 = Top + i * rowHeight;
            // Each row spans the full width, so layers of different widths line up.
            double cell = (right - left) / Math.Max(1, values.Count);
            svg.Text(left - 6, y0 + 13, Shorten(layer, 44), "end", 11);
            for (int c = 0; c < values.Count; c++)
                svg.Rect(left + c * cell, y0, cell, rowHeight - 1, Palette.Ramp(max > 0 ? values[c] / max : 0), $"{layer} {xLabel} {c}: {Axis.Label(values[c])}");
        }
        double bottom = Top + rows.Count * rowHeight;
        if (columnTicks && columns > 0)
        {
            double cell = (right - left) / columns;
            int every = Math.Max(1, (int)Math.Ceiling(columns / 40.0));
            for (int c = 0; c < columns; c += every)
                svg.Text(left + (c + 0.5) * cell, bottom + 13, c.ToString(CultureInfo.InvariantCulture), "middle", 11);
        }
        ColourScale(svg, right + 16, Top, Math.Min(160, Math.Max(60, bottom - Top)), t => Palette.Ramp(t), "row max", "0");
        svg.Text((left + right) / 2, h - 12, xLabel, "middle");
        return svg.ToString();
    }

    /// <summary>Rows present in both maps with the same width: (layer, this run, baseline).</summary>
    internal static IReadOnlyList<(string Layer, IReadOnlyList<double> Now, IReadOnlyList<double> Before)> DifferenceRows(
        IReadOnlyList<KeyValuePair<string, IReadOnlyList<double>>> now, IReadOnlyList<KeyValuePair<string, IReadOnlyList<double>>> before)
    {
        var old = new Dictionary<string, IReadOnlyList<double>>(StringComparer.Ordinal);
        foreach (var (k, v) in before) old[k] = v;
        return [.. now.Where(r => old.TryGetValue(r.Key, out var b) && b.Count == r.Value.Count).Select(r => (r.Key, r.Value, old[r.Key]))];
    }

    /// <summary>The NIF attribution as heat-map rows, one per input feature.</summary>
    private static IReadOnlyList<KeyValuePair<string, IReadOnlyList<double>>> AttributionRows(GraphSection graph)
        => [.. graph.Attribution.Select((row, i) => KeyValuePair.Create($"input {i}", row))];

    internal static string DifferenceMap(IReadOnlyList<(string Layer, IReadOnlyList<double> Now, IReadOnlyList<double> Before)> rows, string id, string title, string xLabel, string cellName)
    {
        double rowHeight = 18, left = 300, right = Width - Right - 70;
        double h = Top + Bottom + rowHeight * Math.Max(1, rows.Count);
        var svg = new SvgBuilder(id, Width, h, title);
        for (int i = 0; i < rows.Count; i++)
        {
            var (layer, now, before) = rows[i];
            double scale = now.Concat(before).Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
            double y0 = Top + i * rowHeight, cell = (right - left) / Math.Max(1, now.Count);
            svg.Text(left - 6, y0 + 13, Shorten(layer, 44), "end", 11);
            for (int c = 0; c < now.Count; c++)
            {
                double d = now[c] - before[c];
                svg.Rect(left + c * cell, y0, cell, rowHeight - 1, Palette.Diverging(scale > 0 ? d / scale : 0),
                    $"{layer} {cellName} {c}: {Axis.Label(now[c])} (baseline {Axis.Label(before[c])}, {(d >= 0 ? "+" : "")}{Axis.Label(d)})", BaselineClass);
            }
        }
        ColourScale(svg, right + 16, Top, Math.Min(160, Math.Max(60, rows.Count * rowHeight)), t => Palette.Diverging(2 * t - 1), "+ row max", "− row max");
        svg.Text((left + right) / 2, h - 12, xLabel, "middle");
        return svg.ToString();
    }

    /// <summary>A vertical colour bar: <paramref name="colour"/> over t in [0, 1], top label at t = 1.</summary>
    private static void ColourScale(SvgBuilder svg, double x, double y, double height, Func<double, string> colour, string topLabel, string bottomLabel)
    {
        const int Steps = 16;
        for (int i = 0; i < Steps; i++)
            svg.Rect(x, y + i * height / Steps, 14, height / Steps + 0.5, colour(1 - (i + 0.5) / Steps));
        svg.Rect(x, y, 14, height, "none", null, null, " stroke=\"#999\"");
        svg.Text(x + 18, y + 10, topLabel, size: 10);
        svg.Text(x + 18, y + height, bottomLabel, size: 10);
    }

    /// <summary>The layered flow graph; with <paramref name="baseline"/>, a dashed ring per unit the baseline also selected, sized by its betweenness there.</summary>
    internal static string GraphPlot(GraphSection graph, GraphSection? baseline = null)
    {
        var layers = graph.Nodes.GroupBy(n => n.Layer).OrderBy(g => g.Key).ToList();
        var position = new Dictionary<int, (double X, double Y)>();
        double colStep = layers.Count > 1 ? (Width - Left - Right) / (layers.Count - 1) : 0;
        for (int c = 0; c < layers.Count; c++)
        {
            var nodes = layers[c].OrderBy(n => n.Id).ToList();
            double rowStep = (Height - Top - Bottom) / Math.Max(1, nodes.Count);
            for (int r = 0; r < nodes.Count; r++) position[nodes[r].Id] = (Left + c * colStep, Top + (r + 0.5) * rowStep);
        }
        var svg = new SvgBuilder("plot-nif-graph-svg", Width, Height, "NIF graph");
        double maxFlow = graph.Edges.Select(e => e.Flow).DefaultIfEmpty(1).Max();
        // Units are matched by label (layer and unit index); one size scale for both runs so ring and disc compare.
        var before = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var n in baseline?.Nodes ?? []) if (double.IsFinite(n.Betweenness)) before[n.Label] = n.Betweenness;
        double maxBetween = graph.Nodes.Select(n => n.Betweenness).Concat(before.Values).DefaultIfEmpty(1).Max();
        foreach (var e in graph.Edges)
        {
            if (!position.TryGetValue(e.From, out var a) || !position.TryGetValue(e.To, out var b)) continue;
            svg.Line(a.X, a.Y, b.X, b.Y, "#888", 0.3 + 4 * (maxFlow > 0 ? e.Flow / maxFlow : 0), " stroke-opacity=\"0.5\"");
        }
        foreach (var n in graph.Nodes)
            svg.Circle(position[n.Id].X, position[n.Id].Y, 3 + 9 * (maxBetween > 0 ? n.Betweenness / maxBetween : 0), Palette.Category(n.Community),
                $"{n.Label}: betweenness {Axis.Label(n.Betweenness)}, community {n.Community}");
        foreach (var n in graph.Nodes)
            if (before.TryGetValue(n.Label, out double b))
                svg.Circle(position[n.Id].X, position[n.Id].Y, 3 + 9 * (maxBetween > 0 ? b / maxBetween : 0), "none",
                    $"baseline {n.Label}: betweenness {Axis.Label(b)} (this run {Axis.Label(n.Betweenness)})", BaselineColour, BaselineClass, " stroke-dasharray=\"2 2\"");
        // Community legend: the palette repeats after ten colours, so at most ten entries are drawn.
        var communities = graph.Nodes.GroupBy(n => n.Community).OrderBy(g => g.Key).ToList();
        double lx = Left;
        foreach (var c in communities.Take(10))
        {
            svg.Circle(lx + 6, 16, 5, Palette.Category(c.Key));
            var label = $"community {c.Key} ({c.Count()})";
            svg.Text(lx + 15, 20, label, size: 11);
            lx += 24 + 6 * label.Length;
        }
        if (communities.Count > 10) svg.Text(lx, 20, $"+{communities.Count - 10} more (colours repeat)", size: 11);
        return svg.ToString();
    }

    private static void Frame(SvgBuilder svg, Axis? x, Axis y, string xLabel, string yLabel)
    {
        foreach (var t in y.Ticks())
        {
            svg.Line(Left, y.Map(t), Width - Right, y.Map(t), "#eee");
            svg.Text(Left - 6, y.Map(t) + 4, Axis.Label(t), "end", 11);
        }
        if (x is not null)
        {
            foreach (var t in x.Ticks())
            {
                svg.Line(x.Map(t), Top, x.Map(t), Height - Bottom, "#eee");
                svg.Text(x.Map(t), Height - Bottom + 16, Axis.Label(t), "middle", 11);
            }
        }
        svg.Line(Left, Height - Bottom, Width - Right, Height - Bottom, "#333");
        svg.Line(Left, Top, Left, Height - Bottom, "#333");
        svg.Text((Left + Width - Right) / 2, Height - 12, xLabel, "middle", 12);
        svg.Text(16, (Top + Height - Bottom) / 2, yLabel, "middle", 12, extra: $" transform=\"rotate(-90 16 {SvgBuilder.N((Top + Height - Bottom) / 2)})\"");
    }

    private static int IndexOf(IReadOnlyList<string> list, string item)
    {
        for (int i = 0; i < list.Count; i++) if (list[i] == item) return i;
        return -1;
    }

    private static string Shorten(string s, int max) => s.Length <= max ? s : "…" + s[^(max - 1)..];
}
