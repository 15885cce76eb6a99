using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ModelAudit.Nif.Json;
using System.Xml;

namespace ModelAudit.Nif;

/// <summary>Writes a <see cref="NifResult"/> as JSON (node and edge tables, communities, attribution, pruning) or GraphML.</summary>
public static class NifReport
{
    /// <summary>JSON: every table of the result, camelCase keys, through the source-generated <see cref="NifJsonContext"/>; NaN (no modularity) is written as null.</summary>
    public static void WriteJson(Stream stream, NifResult result, string modelPath)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(result);
        var e = result.Estimate;
        var json = new NifJson(modelPath, result.Samples, result.Seed, result.LayerNames, result.LayerUnits, result.SelectedUnits,
            new NifJsonEstimate(e.EdgeUpperBound, e.EdgeBudget, e.Estimations, e.BackwardPasses, e.EstimatedSeconds, e.PairEdgeBounds),
            [.. result.LayerPairs.Select(p => new NifJsonLayerPair(p.From, p.To, p.Estimator, p.Edges, p.Estimated, p.NoiseFloor, p.ClippedCount))],
            result.Nodes,
            result.Edges,
            new NifJsonCommunities(result.CommunityCount, result.Modularity,
                [.. result.Nodes.GroupBy(n => n.Community).OrderBy(g => g.Key).Select(g => new NifJsonCommunity(g.Key, [.. g.Select(n => n.Id)]))]),
            result.DeadUnits,
            result.Attribution,
            result.Pruning is { } p ? new NifJsonPruning(p.PrunedUnits, p.AccuracyBefore, p.AccuracyAfter, p.ZeroedParameters, p.Skipped) : null,
            result.FeatureClassInformation,
            [.. result.Comparisons.Select(c => new NifJsonComparison(c.Method, c.Statistic, c.PValue, c.Values))]);
        JsonSerializer.Serialize(stream, json, NifJsonContext.Default.NifJson);
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
}

// The nif command's JSON as written: records in key order (camelCase), serialized by the source-generated NifJsonContext.

internal sealed record NifJson(string Model, int Samples, int Seed, IReadOnlyList<string> Layers, IReadOnlyList<int> LayerUnits,
    IReadOnlyList<IReadOnlyList<int>> SelectedUnits, NifJsonEstimate Estimate, IReadOnlyList<NifJsonLayerPair> LayerPairs, IReadOnlyList<NifNode> Nodes,
    IReadOnlyList<NifEdge> Edges, NifJsonCommunities Communities, IReadOnlyList<NifDeadUnit> DeadUnits, double[][] Attribution, NifJsonPruning? Pruning,
    IReadOnlyList<double> FeatureClassInformation, IReadOnlyList<NifJsonComparison> Comparisons);

internal sealed record NifJsonEstimate(long EdgeUpperBound, long EdgeBudget, long Estimations, long BackwardPasses, double EstimatedSeconds, IReadOnlyList<long> PairEdgeBounds);

internal sealed record NifJsonLayerPair(int From, int To, string Estimator, int Edges, int Estimated, double NoiseFloor, [property: JsonPropertyName("clipped")] int ClippedCount);

internal sealed record NifJsonCommunities(int Count, double Modularity, IReadOnlyList<NifJsonCommunity> Members);

internal sealed record NifJsonCommunity(int Community, IReadOnlyList<int> Nodes);

internal sealed record NifJsonPruning([property: JsonPropertyName("units")] IReadOnlyList<string> PrunedUnits, double AccuracyBefore, double AccuracyAfter,
    int ZeroedParameters, IReadOnlyList<string> Skipped);

internal sealed record NifJsonComparison(string Method, [property: JsonPropertyName("ksStatistic")] double Statistic, double PValue,
    [property: JsonPropertyName("normalisedAttribution")] IReadOnlyList<double> Values);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, Converters = [typeof(FiniteNumberConverter)])]
[JsonSerializable(typeof(NifJson))]
internal sealed partial class NifJsonContext : JsonSerializerContext;
