using System.Text.Encodings.Web;
using System.Text.Json;
using ModelAudit.Audit.Model;

namespace ModelAudit.Reporting.Json;

/// <summary>
/// Writes report.json: snake_case keys in a fixed order, doubles in shortest round-trip form, everything
/// nondeterministic (wall-clock seconds) in the one <c>timings</c> object at the end.
/// </summary>
public static class ReportJsonWriter
{
    /// <summary>Writes the report as indented UTF-8 JSON.</summary>
    public static void Write(Stream stream, AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(report);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteNumber("schema_version", report.SchemaVersion);
        w.WriteString("tool", report.ToolVersion);
        w.WriteString("outcome", report.Passed ? "passed" : "failed");
        w.WriteStartObject("spec");
        w.WriteString("file", report.SpecFile);
        w.WriteStartObject("resolved");
        foreach (var (k, v) in report.ResolvedSpec) w.WriteString(k, v);
        w.WriteEndObject();
        w.WriteEndObject();
        Digest(w, "model", report.Model);
        Digest(w, "data", report.Data);
        Digest(w, "labels", report.Labels);
        w.WriteNumber("seed", report.Seed);
        w.WriteNumber("samples", report.Samples);
        w.WriteString("label_source", report.LabelSource);
        w.WriteStartArray("analyses");
        foreach (var a in report.Analyses) w.WriteStringValue(a);
        w.WriteEndArray();

        w.WriteStartArray("layers");
        foreach (var l in report.Layers)
        {
            w.WriteStartObject();
            w.WriteString("name", l.Name);
            w.WriteString("op_type", l.OpType);
            w.WriteStartArray("shape");
            foreach (var d in l.Shape) w.WriteNumberValue(d);
            w.WriteEndArray();
            if (l.Group is null) w.WriteNull("group");
            else w.WriteString("group", l.Group);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartObject("metrics");
        foreach (var (k, v) in report.Metrics.OrderBy(p => p.Key, StringComparer.Ordinal)) Number(w, k, v);
        w.WriteEndObject();

        Gates(w, report.Gates);
        w.WriteStartArray("warnings");
        foreach (var warning in report.Warnings) w.WriteStringValue(warning);
        w.WriteEndArray();
        Digest(w, "baseline", report.Baseline);
        if (report.Planes is { } planes) Planes(w, planes);
        if (report.Efficiency is { } efficiency) Efficiency(w, efficiency);
        if (report.Conductance is { } conductance) Conductance(w, conductance);
        if (report.Graph is { } graph) Graph(w, graph);

        w.WriteStartObject("timings");
        foreach (var (k, v) in report.Timings) w.WriteNumber(k + "_seconds", Math.Round(v, 3));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void Gates(Utf8JsonWriter w, IReadOnlyList<GateResult> gates)
    {
        w.WriteStartArray("gates");
        foreach (var g in gates)
        {
            w.WriteStartObject();
            w.WriteString("metric", g.Gate.Metric.ToString());
            w.WriteString("direction", g.Gate.DirectionName);
            Number(w, "min", g.Gate.Min);
            Number(w, "max", g.Gate.Max);
            if (g.Gate.MaxRegression is { } r)
            {
                w.WriteStartObject("max_regression");
                Number(w, "absolute", r.Absolute);
                Number(w, "relative", r.Relative);
                w.WriteEndObject();
            }
            else w.WriteNull("max_regression");
            w.WriteString("severity", g.Gate.SeverityName);
            w.WriteNumber("line", g.Gate.Mark.Line);
            w.WriteNumber("column", g.Gate.Mark.Column);
            Number(w, "value", g.Value);
            Number(w, "baseline_value", g.BaselineValue);
            Number(w, "delta", g.Delta);
            w.WriteString("bound", g.BoundText);
            w.WriteString("status", g.StatusName);
            w.WriteString("message", g.Message);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Planes(Utf8JsonWriter w, PlaneSection planes)
    {
        w.WriteStartObject("planes");
        w.WriteString("estimator", planes.Estimator);
        w.WriteStartArray("points");
        foreach (var p in planes.Points)
        {
            w.WriteStartObject();
            w.WriteString("layer", p.Layer);
            w.WriteString("reduction", p.Reduction);
            Number(w, "entropy", p.Entropy);
            Estimate(w, "i_xt", p.InputActivation);
            Estimate(w, "i_ty", p.ActivationLabel);
            Estimate(w, "i_xc", p.InputConductance);
            Estimate(w, "i_cy", p.ConductanceLabel);
            Estimate(w, "i_ty_null", p.ActivationLabelNull);
            Estimate(w, "i_cy_null", p.ConductanceLabelNull);
            w.WriteBoolean("i_ty_above_chance", p.ActivationLabelAboveChance);
            if (p.ConductanceLabelAboveChance is { } cy) w.WriteBoolean("i_cy_above_chance", cy);
            else w.WriteNull("i_cy_above_chance");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("groups");
        foreach (var g in planes.Groups)
        {
            w.WriteStartObject();
            w.WriteString("name", g.Name);
            w.WriteStartArray("layers");
            foreach (var l in g.Layers) w.WriteStringValue(l);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("dpi_findings");
        foreach (var d in planes.Dpi)
        {
            w.WriteStartObject();
            w.WriteString("quantity", d.Quantity);
            w.WriteString("earlier", d.Earlier);
            w.WriteString("later", d.Later);
            Number(w, "earlier_value", d.EarlierValue);
            Number(w, "later_value", d.LaterValue);
            Number(w, "margin", d.Margin);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Efficiency(Utf8JsonWriter w, IReadOnlyList<EfficiencyRow> rows)
    {
        w.WriteStartArray("efficiency");
        foreach (var r in rows)
        {
            w.WriteStartObject();
            w.WriteString("layer", r.Layer);
            Number(w, "compression", r.Compression);
            Number(w, "preservation", r.Preservation);
            Number(w, "usefulness", r.Usefulness);
            Number(w, "efficiency", r.Efficiency);
            w.WriteStartArray("notes");
            foreach (var n in r.Notes) w.WriteStringValue(n);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Conductance(Utf8JsonWriter w, ConductanceSection c)
    {
        w.WriteStartObject("conductance");
        w.WriteString("method", c.Method);
        w.WriteNumber("steps", c.Steps);
        w.WriteStartObject("share");
        foreach (var (k, v) in c.Share) Number(w, k, v);
        w.WriteEndObject();
        w.WriteStartObject("max_abs_delta");
        foreach (var (k, v) in c.MaxAbsDelta) Number(w, k, v);
        w.WriteEndObject();
        w.WriteStartObject("heatmap");
        foreach (var (k, row) in c.Heatmap)
        {
            w.WriteStartArray(k);
            foreach (var v in row) NumberValue(w, v);
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void Graph(Utf8JsonWriter w, GraphSection g)
    {
        w.WriteStartObject("graph");
        w.WriteStartArray("nodes");
        foreach (var n in g.Nodes)
        {
            w.WriteStartObject();
            w.WriteNumber("id", n.Id);
            w.WriteNumber("layer", n.Layer);
            w.WriteString("label", n.Label);
            Number(w, "betweenness", n.Betweenness);
            w.WriteNumber("community", n.Community);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("edges");
        foreach (var e in g.Edges)
        {
            w.WriteStartObject();
            w.WriteNumber("from", e.From);
            w.WriteNumber("to", e.To);
            Number(w, "flow", e.Flow);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("attribution");
        foreach (var row in g.Attribution)
        {
            w.WriteStartArray();
            foreach (var v in row) NumberValue(w, v);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Estimate(Utf8JsonWriter w, string name, PlaneValue? v)
    {
        if (v is null)
        {
            w.WriteNull(name);
            return;
        }
        w.WriteStartObject(name);
        Number(w, "value", v.Value);
        Number(w, "spread", v.Spread);
        w.WriteEndObject();
    }

    private static void Digest(Utf8JsonWriter w, string name, FileDigest? d)
    {
        if (d is null)
        {
            w.WriteNull(name);
            return;
        }
        w.WriteStartObject(name);
        w.WriteString("path", d.Path);
        w.WriteString("sha256", d.Sha256);
        w.WriteEndObject();
    }

    /// <summary>An array element: non-finite values are written as null (JSON has no NaN or infinity).</summary>
    private static void NumberValue(Utf8JsonWriter w, double value)
    {
        if (double.IsFinite(value)) w.WriteNumberValue(value);
        else w.WriteNullValue();
    }

    /// <summary>The one place numbers are written: a value that is missing or not finite is null, never NaN or infinity.</summary>
    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
