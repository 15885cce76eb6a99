using ModelAudit.Audit.Model;

namespace ModelAudit.Reporting.Svg;

/// <summary>One figure of the HTML report.</summary>
/// <param name="Id">The svg element's id (stable; tests count them).</param>
/// <param name="Title">Heading.</param>
/// <param name="Caption">What it shows.</param>
/// <param name="Svg">The inline SVG markup.</param>
public sealed record Plot(string Id, string Title, string Caption, string Svg);

/// <summary>Draws the report's figures as inline SVG, from the report alone.</summary>
public static class Plots
{
    private const double Width = 640, Height = 400, Left = 60, Right = 20, Top = 20, Bottom = 50;

    /// <summary>Every figure the report has data for, in display order.</summary>
    public static IReadOnlyList<Plot> For(AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var plots = new List<Plot>();
        var groupIndex = GroupIndex(report);
        if (report.Planes is { } planes)
        {
            plots.Add(new Plot("plot-plane-activation", "Activation information plane", $"I(X;T) against I(T;Y) per layer ({planes.Estimator}), joined in depth order; bars are the bootstrap spread; colour is the layer group.",
                PlanePlot("plot-plane-activation", "Activation plane", planes.Points.Select(p => (p.Layer, (PlaneValue?)p.InputActivation, (PlaneValue?)p.ActivationLabel)).ToList(), "I(X;T) bits", "I(T;Y) bits", groupIndex, GroupNames(report))));
            if (planes.Points.Any(p => p.InputConductance is not null))
                plots.Add(new Plot("plot-plane-conductance", "Conductance information plane", "I(X;C) against I(C;Y) per layer, joined in depth order; bars are the bootstrap spread.",
                    PlanePlot("plot-plane-conductance", "Conductance plane", planes.Points.Select(p => (p.Layer, p.InputConductance, p.ConductanceLabel)).ToList(), "I(X;C) bits", "I(C;Y) bits", groupIndex, GroupNames(report))));
            plots.Add(new Plot("plot-dpi", "Data-processing inequality findings", planes.Dpi.Count == 0
                    ? "No layer pair where information rose with depth beyond the spread."
                    : $"{planes.Dpi.Count} layer pairs where I(X;T) (blue) or I(T;Y) (orange) rose with depth beyond the spread; arc width is the margin.",
                DpiPlot(report.Layers.Select(l => l.Name).ToList(), planes.Dpi)));
        }
        if (report.Efficiency is { } efficiency)
            plots.Add(new Plot("plot-ite", "Information transformation efficiency", "Compression, preservation, usefulness and efficiency per layer (missing bars are undefined terms, see the table).",
                IteBars(efficiency)));
        if (report.Conductance is { } conductance)
        {
            plots.Add(new Plot("plot-conductance-share", "Conductance share", "Each layer's share of the total mean absolute conductance.",
                ShareBars(conductance.Share, groupIndex)));
            plots.Add(new Plot("plot-attribution-heatmap", "Attribution heat map", "Mean |conductance| per channel or unit, each row scaled to its maximum.",
                Heatmap(conductance.Heatmap, "plot-attribution-heatmap-svg", "channel / unit")));
        }
        if (report.Graph is { } graph)
        {
            plots.Add(new Plot("plot-nif-graph", "Neural information flow graph", "Layered layout; node size is betweenness, colour is community, edge width is flow.",
                GraphPlot(graph)));
            plots.Add(new Plot("plot-nif-attribution", "NIF attribution", "Flow attribution from each input feature (row) to each class (column): the sum over paths of the product of flows, each row scaled to its maximum.",
                Heatmap([.. graph.Attribution.Select((row, i) => KeyValuePair.Create($"input[{i}]", row))], "plot-nif-attribution-svg", "class")));
        }
        return plots;
    }

    private static Dictionary<string, int> GroupIndex(AuditReport report)
    {
        var groups = report.Layers.Select(l => l.Group ?? "").Distinct().ToList();
        return report.Layers.ToDictionary(l => l.Name, l => groups.IndexOf(l.Group ?? ""), StringComparer.Ordinal);
    }

    private static IReadOnlyList<string> GroupNames(AuditReport report) => [.. report.Layers.Select(l => l.Group ?? "").Distinct()];

    internal static string PlanePlot(string id, string title, IReadOnlyList<(string Layer, PlaneValue? X, PlaneValue? Y)> points,
        string xLabel, string yLabel, IReadOnlyDictionary<string, int> group, IReadOnlyList<string> groupNames)
    {
        var svg = new SvgBuilder(id + "-svg", Width, Height, title);
        // Undefined estimates (NaN, with the reason among the report's warnings) have no place on the plot; an
        // undefined spread draws no bar.
        static PlaneValue? Finite(PlaneValue? v) => v is { } p && double.IsFinite(p.Value) ? p with { Spread = double.IsFinite(p.Spread) ? p.Spread : 0 } : null;
        var valid = points.Select(p => (p.Layer, X: Finite(p.X), Y: Finite(p.Y))).Where(p => p.X is not null && p.Y is not null)
            .Select(p => (p.Layer, X: p.X!, Y: p.Y!)).ToList();
        var x = new Axis(valid.Select(p => p.X.Value - p.X.Spread).DefaultIfEmpty(0).Min(), valid.Select(p => p.X.Value + p.X.Spread).DefaultIfEmpty(1).Max(), Left, Width - Right);
        var y = new Axis(valid.Select(p => p.Y.Value - p.Y.Spread).DefaultIfEmpty(0).Min(), valid.Select(p => p.Y.Value + p.Y.Spread).DefaultIfEmpty(1).Max(), Height - Bottom, Top);
        Frame(svg, x, y, xLabel, yLabel);
        svg.Polyline(valid.Select(p => (x.Map(p.X.Value), y.Map(p.Y.Value))), "#999");
        for (int i = 0; i < valid.Count; i++)
        {
            var (layer, px, py) = valid[i];
            double cx = x.Map(px.Value), cy = y.Map(py.Value);
            string colour = Palette.Category(group.GetValueOrDefault(layer));
            svg.Line(x.Map(px.Value - px.Spread), cy, x.Map(px.Value + px.Spread), cy, colour, 1.5);
            svg.Line(cx, y.Map(py.Value - py.Spread), cx, y.Map(py.Value + py.Spread), colour, 1.5);
            svg.Circle(cx, cy, 5, colour, $"{i + 1}. {layer}: ({Axis.Label(px.Value)} ± {Axis.Label(px.Spread)}, {Axis.Label(py.Value)} ± {Axis.Label(py.Spread)})");
            svg.Text(cx + 7, cy - 6, (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), size: 10);
        }
        for (int g = 0; g < groupNames.Count; g++)
        {
            if (groupNames[g].Length == 0) continue;
            svg.Circle(Left + 16 + g * 110, Top + 6, 4, Palette.Category(g));
            svg.Text(Left + 24 + g * 110, Top + 10, groupNames[g], size: 10);
        }
        return svg.ToString();
    }

    internal static string DpiPlot(IReadOnlyList<string> layers, IReadOnlyList<DpiRow> findings)
    {
        double h = 220, baseY = 170;
        var svg = new SvgBuilder("plot-dpi-svg", Width, h, "DPI findings");
        double step = layers.Count > 1 ? (Width - Left - Right) / (layers.Count - 1) : 0;
        double X(int i) => Left + i * step;
        svg.Line(Left, baseY, Width - Right, baseY, "#333");
        for (int i = 0; i < layers.Count; i++)
        {
            svg.Circle(X(i), baseY, 4, "#555", $"{i + 1}. {layers[i]}");
            svg.Text(X(i), baseY + 18, (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "middle", 10);
        }
        double maxMargin = findings.Select(f => f.Margin).DefaultIfEmpty(1).Max();
        foreach (var f in findings)
        {
            int a = IndexOf(layers, f.Earlier), b = IndexOf(layers, f.Later);
            if (a < 0 || b < 0) continue;
            double r = (X(b) - X(a)) / 2;
            string colour = f.Quantity == "i_xt" ? "#1f77b4" : "#ff7f0e";
            svg.Path($"M {SvgBuilder.N(X(a))} {SvgBuilder.N(baseY)} A {SvgBuilder.N(r)} {SvgBuilder.N(Math.Min(r, baseY - 10))} 0 0 1 {SvgBuilder.N(X(b))} {SvgBuilder.N(baseY)}",
                colour, 1 + 4 * f.Margin / maxMargin, tooltip: $"{f.Quantity}: {f.Earlier} {Axis.Label(f.EarlierValue)} -> {f.Later} {Axis.Label(f.LaterValue)} (margin {Axis.Label(f.Margin)} bits)", opacity: 0.7);
        }
        if (findings.Count == 0) svg.Text(Width / 2, 60, "no DPI violations", "middle", 13, "#2a7");
        svg.Text(Width / 2, h - 8, "layer (depth order)", "middle");
        return svg.ToString();
    }

    internal static string IteBars(IReadOnlyList<EfficiencyRow> rows)
    {
        var svg = new SvgBuilder("plot-ite-svg", Width, Height, "ITE per layer");
        var series = new (string Name, Func<EfficiencyRow, double?> Get)[]
        {
            ("compression", r => r.Compression), ("preservation", r => r.Preservation), ("usefulness", r => r.Usefulness), ("efficiency", r => r.Efficiency),
        };
        var values = rows.SelectMany(r => series.Select(s => s.Get(r))).Where(v => v is not null).Select(v => v!.Value).ToList();
        var y = new Axis(Math.Min(0, values.DefaultIfEmpty(0).Min()), Math.Max(1, values.DefaultIfEmpty(1).Max()), Height - Bottom, Top);
        Frame(svg, null, y, "layer (depth order)", "score");
        double slot = (Width - Left - Right) / Math.Max(1, rows.Count), bar = slot * 0.8 / series.Length;
        for (int i = 0; i < rows.Count; i++)
        {
            double x0 = Left + i * slot + slot * 0.1;
            for (int s = 0; s < series.Length; s++)
            {
                if (series[s].Get(rows[i]) is not { } v) continue;
                double top = y.Map(Math.Max(v, 0)), bottom = y.Map(Math.Min(v, 0));
                svg.Rect(x0 + s * bar, top, bar * 0.95, bottom - top, Palette.Category(s), $"{rows[i].Layer} {series[s].Name}: {Axis.Label(v)}");
            }
            svg.Text(Left + (i + 0.5) * slot, Height - Bottom + 14, (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "middle", 10);
        }
        for (int s = 0; s < series.Length; s++)
        {
            svg.Rect(Left + 10 + s * 120, 4, 10, 10, Palette.Category(s));
            svg.Text(Left + 24 + s * 120, 13, series[s].Name, size: 10);
        }
        return svg.ToString();
    }

    internal static string ShareBars(IReadOnlyList<KeyValuePair<string, double>> share, IReadOnlyDictionary<string, int> group)
    {
        double rowHeight = 18, h = Top + Bottom + rowHeight * Math.Max(1, share.Count);
        var svg = new SvgBuilder("plot-conductance-share-svg", Width, h, "Conductance share per layer");
        var x = new Axis(0, Math.Max(1e-9, share.Select(s => s.Value).DefaultIfEmpty(1).Max()), 220, Width - Right);
        for (int i = 0; i < share.Count; i++)
        {
            var (layer, v) = share[i];
            double y0 = Top + i * rowHeight;
            svg.Text(214, y0 + 12, Shorten(layer, 34), "end", 10);
            svg.Rect(220, y0 + 2, x.Map(v) - 220, rowHeight - 4, Palette.Category(group.GetValueOrDefault(layer)), $"{layer}: {Axis.Label(v * 100)}%");
            svg.Text(x.Map(v) + 4, y0 + 12, Axis.Label(v * 100) + "%", size: 10);
        }
        svg.Text((220 + Width) / 2, h - 10, "share of total |conductance|", "middle");
        return svg.ToString();
    }

    internal static string Heatmap(IReadOnlyList<KeyValuePair<string, IReadOnlyList<double>>> rows, string id, string xLabel)
    {
        double rowHeight = 16, left = 220;
        double h = Top + Bottom + rowHeight * Math.Max(1, rows.Count);
        var svg = new SvgBuilder(id, Width, h, "Attribution heat map");
        for (int i = 0; i < rows.Count; i++)
        {
            var (layer, values) = rows[i];
            double max = values.DefaultIfEmpty(0).Max();
            double y0 = Top + i * rowHeight;
            // Each row spans the full width, so layers of different widths line up.
            double cell = (Width - left - Right) / Math.Max(1, values.Count);
            svg.Text(left - 6, y0 + 11, Shorten(layer, 34), "end", 10);
            for (int c = 0; c < values.Count; c++)
                svg.Rect(left + c * cell, y0, cell, rowHeight - 1, Palette.Ramp(max > 0 ? values[c] / max : 0), $"{layer} {xLabel} {c}: {Axis.Label(values[c])}");
        }
        svg.Text((left + Width) / 2, h - 10, xLabel, "middle");
        return svg.ToString();
    }

    internal static string GraphPlot(GraphSection graph)
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
        double maxBetween = graph.Nodes.Select(n => n.Betweenness).DefaultIfEmpty(1).Max();
        foreach (var e in graph.Edges)
        {
            if (!position.TryGetValue(e.From, out var a) || !position.TryGetValue(e.To, out var b)) continue;
            svg.Line(a.X, a.Y, b.X, b.Y, "#888", 0.3 + 4 * (maxFlow > 0 ? e.Flow / maxFlow : 0), " stroke-opacity=\"0.5\"");
        }
        foreach (var n in graph.Nodes)
            svg.Circle(position[n.Id].X, position[n.Id].Y, 3 + 9 * (maxBetween > 0 ? n.Betweenness / maxBetween : 0), Palette.Category(n.Community),
                $"{n.Label}: betweenness {Axis.Label(n.Betweenness)}, community {n.Community}");
        return svg.ToString();
    }

    private static void Frame(SvgBuilder svg, Axis? x, Axis y, string xLabel, string yLabel)
    {
        foreach (var t in y.Ticks())
        {
            svg.Line(Left, y.Map(t), Width - Right, y.Map(t), "#eee");
            svg.Text(Left - 6, y.Map(t) + 4, Axis.Label(t), "end", 10);
        }
        if (x is not null)
        {
            foreach (var t in x.Ticks())
            {
                svg.Line(x.Map(t), Top, x.Map(t), Height - Bottom, "#eee");
                svg.Text(x.Map(t), Height - Bottom + 14, Axis.Label(t), "middle", 10);
            }
        }
        svg.Line(Left, Height - Bottom, Width - Right, Height - Bottom, "#333");
        svg.Line(Left, Top, Left, Height - Bottom, "#333");
        svg.Text((Left + Width - Right) / 2, Height - 12, xLabel, "middle");
        svg.Text(14, (Top + Height - Bottom) / 2, yLabel, "middle", extra: $" transform=\"rotate(-90 14 {SvgBuilder.N((Top + Height - Bottom) / 2)})\"");
    }

    private static int IndexOf(IReadOnlyList<string> list, string item)
    {
        for (int i = 0; i < list.Count; i++) if (list[i] == item) return i;
        return -1;
    }

    private static string Shorten(string s, int max) => s.Length <= max ? s : "…" + s[^(max - 1)..];
}
