using System.Globalization;
using System.Text.Json;
using System.Xml;

namespace ModelAudit.Nif;

/// <summary>Writes a <see cref="NifResult"/> as JSON (node and edge tables, communities, attribution, pruning) or GraphML.</summary>
public static class NifReport
{
    /// <summary>JSON: every table of the result; NaN (no modularity) is written as null.</summary>
    public static void WriteJson(Stream stream, NifResult result, string modelPath)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(result);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("model", modelPath);
        w.WriteNumber("samples", result.Samples);
        w.WriteNumber("seed", result.Seed);
        w.WriteStartArray("layers");
        foreach (var l in result.LayerNames) w.WriteStringValue(l);
        w.WriteEndArray();
        w.WriteStartArray("layerUnits");
        foreach (var u in result.LayerUnits) w.WriteNumberValue(u);
        w.WriteEndArray();
        w.WriteStartArray("selectedUnits");
        foreach (var units in result.SelectedUnits)
        {
            w.WriteStartArray();
            foreach (var u in units) w.WriteNumberValue(u);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        var estimate = result.Estimate;
        w.WriteStartObject("estimate");
        w.WriteNumber("edgeUpperBound", estimate.EdgeUpperBound);
        w.WriteNumber("edgeBudget", estimate.EdgeBudget);
        w.WriteNumber("estimations", estimate.Estimations);
        w.WriteNumber("backwardPasses", estimate.BackwardPasses);
        w.WriteNumber("estimatedSeconds", estimate.EstimatedSeconds);
        w.WriteStartArray("pairEdgeBounds");
        foreach (var b in estimate.PairEdgeBounds) w.WriteNumberValue(b);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartArray("layerPairs");
        foreach (var p in result.LayerPairs)
        {
            w.WriteStartObject();
            w.WriteNumber("from", p.From);
            w.WriteNumber("to", p.To);
            w.WriteString("estimator", p.Estimator);
            w.WriteNumber("edges", p.Edges);
            w.WriteNumber("estimated", p.Estimated);
            w.WriteNumber("noiseFloor", p.NoiseFloor);
            w.WriteNumber("clipped", p.ClippedCount);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("nodes");
        foreach (var n in result.Nodes)
        {
            w.WriteStartObject();
            w.WriteNumber("id", n.Id);
            w.WriteString("label", n.Label);
            w.WriteNumber("layer", n.Layer);
            w.WriteString("layerName", n.LayerName);
            w.WriteNumber("unit", n.Unit);
            w.WriteNumber("betweenness", n.Betweenness);
            w.WriteNumber("community", n.Community);
            w.WriteNumber("inFlow", n.InFlow);
            w.WriteNumber("outFlow", n.OutFlow);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("edges");
        foreach (var e in result.Edges)
        {
            w.WriteStartObject();
            w.WriteNumber("from", e.From);
            w.WriteNumber("to", e.To);
            w.WriteNumber("mutualInformation", e.MutualInformation);
            w.WriteNumber("flow", e.Flow);
            w.WriteBoolean("aboveNoiseFloor", e.AboveNoiseFloor);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("communities");
        w.WriteNumber("count", result.CommunityCount);
        WriteNumberOrNull(w, "modularity", result.Modularity);
        w.WriteStartArray("members");
        foreach (var group in result.Nodes.GroupBy(n => n.Community).OrderBy(g => g.Key))
        {
            w.WriteStartObject();
            w.WriteNumber("community", group.Key);
            w.WriteStartArray("nodes");
            foreach (var n in group) w.WriteNumberValue(n.Id);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartArray("deadUnits");
        foreach (var d in result.DeadUnits)
        {
            w.WriteStartObject();
            w.WriteNumber("node", d.Node);
            w.WriteString("label", d.Label);
            w.WriteString("kind", d.Kind);
            w.WriteNumber("zeroFraction", d.ZeroFraction);
            w.WriteNumber("mean", d.Mean);
            w.WriteNumber("max", d.Max);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("attribution");
        foreach (var row in result.Attribution)
        {
            w.WriteStartArray();
            foreach (var v in row) w.WriteNumberValue(v);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        if (result.Pruning is { } p2)
        {
            w.WriteStartObject("pruning");
            w.WriteStartArray("units");
            foreach (var u in p2.PrunedUnits) w.WriteStringValue(u);
            w.WriteEndArray();
            w.WriteNumber("accuracyBefore", p2.AccuracyBefore);
            w.WriteNumber("accuracyAfter", p2.AccuracyAfter);
            w.WriteNumber("zeroedParameters", p2.ZeroedParameters);
            w.WriteStartArray("skipped");
            foreach (var s in p2.Skipped) w.WriteStringValue(s);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("pruning");
        }
        w.WriteStartArray("featureClassInformation");
        foreach (var v in result.FeatureClassInformation) w.WriteNumberValue(v);
        w.WriteEndArray();
        w.WriteStartArray("comparisons");
        foreach (var c in result.Comparisons)
        {
            w.WriteStartObject();
            w.WriteString("method", c.Method);
            w.WriteNumber("ksStatistic", c.Statistic);
            w.WriteNumber("pValue", c.PValue);
            w.WriteStartArray("normalisedAttribution");
            foreach (var v in c.Values) w.WriteNumberValue(v);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>
    /// GraphML for Gephi or yEd: node attributes <c>label</c>, <c>layer</c>, <c>betweenness</c>,
    /// <c>community</c>; edge attribute <c>flow</c>; graph attribute <c>modularity</c>. Every edge of the
    /// result is written, zero-flow edges included.
    /// </summary>
    public static void WriteGraphMl(Stream stream, NifResult result)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(result);
        var inv = CultureInfo.InvariantCulture;
        using var w = XmlWriter.Create(stream, new XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false) });
        const string ns = "http://graphml.graphdrawing.org/xmlns";
        w.WriteStartDocument();
        w.WriteStartElement("graphml", ns);
        Key(w, "d_modularity", "graph", "modularity", "double");
        Key(w, "d_label", "node", "label", "string");
        Key(w, "d_layer", "node", "layer", "int");
        Key(w, "d_betweenness", "node", "betweenness", "double");
        Key(w, "d_community", "node", "community", "int");
        Key(w, "d_flow", "edge", "flow", "double");
        w.WriteStartElement("graph", ns);
        w.WriteAttributeString("id", "nif");
        w.WriteAttributeString("edgedefault", "directed");
        Data(w, "d_modularity", double.IsNaN(result.Modularity) ? "NaN" : result.Modularity.ToString("R", inv));
        foreach (var n in result.Nodes)
        {
            w.WriteStartElement("node", ns);
            w.WriteAttributeString("id", "n" + n.Id.ToString(inv));
            Data(w, "d_label", n.Label);
            Data(w, "d_layer", n.Layer.ToString(inv));
            Data(w, "d_betweenness", n.Betweenness.ToString("R", inv));
            Data(w, "d_community", n.Community.ToString(inv));
            w.WriteEndElement();
        }
        foreach (var e in result.Edges)
        {
            w.WriteStartElement("edge", ns);
            w.WriteAttributeString("source", "n" + e.From.ToString(inv));
            w.WriteAttributeString("target", "n" + e.To.ToString(inv));
            Data(w, "d_flow", e.Flow.ToString("R", inv));
            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    private static void Key(XmlWriter w, string id, string domain, string name, string type)
    {
        w.WriteStartElement("key", "http://graphml.graphdrawing.org/xmlns");
        w.WriteAttributeString("id", id);
        w.WriteAttributeString("for", domain);
        w.WriteAttributeString("attr.name", name);
        w.WriteAttributeString("attr.type", type);
        w.WriteEndElement();
    }

    private static void Data(XmlWriter w, string key, string value)
    {
        w.WriteStartElement("data", "http://graphml.graphdrawing.org/xmlns");
        w.WriteAttributeString("key", key);
        w.WriteString(value);
        w.WriteEndElement();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }
}
