using System.Diagnostics;
using System.Text.Json;
using System.Xml.Linq;

namespace ModelAudit.Nif.Tests;

/// <summary>The <c>nif</c> command end to end on the iris fixture.</summary>
public sealed class NifCommandTests : IDisposable
{
    private static readonly XNamespace GraphMl = "http://graphml.graphdrawing.org/xmlns";
    private readonly string _folder = Directory.CreateTempSubdirectory("nif-cli").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Runs the built tool (dotnet-model-audit.dll next to the tests) in its own process.</summary>
    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "dotnet-model-audit.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    private static string Iris(string file) => TestPaths.Fixture("iris_nif_mlp", file);

    [Fact]
    public void Nif_IrisFixture_WritesJsonAndGraphMlThatAgree()
    {
        string json = Path.Combine(_folder, "nif.json"), graphml = Path.Combine(_folder, "nif.graphml");
        var (exit, _, error) = Run("nif", Iris("model.onnx"), "--input", Iris("test_x.npy"), "--labels", Iris("test_y.npy"),
            "--layers", "/relu1/Relu_output_0", "--seed", "3", "--json", json, "--graphml", graphml);
        Assert.True(exit == 0, error);
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));

        var root = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        var nodes = root.GetProperty("nodes").EnumerateArray().ToList();
        var edges = root.GetProperty("edges").EnumerateArray().ToList();
        Assert.Equal(4 + 5 + 3, nodes.Count);
        Assert.Equal(4 * 5 + 5 * 3, edges.Count);
        Assert.Equal(4, root.GetProperty("attribution").GetArrayLength());
        Assert.Equal(3, root.GetProperty("attribution")[0].GetArrayLength());
        Assert.Equal(1.0, root.GetProperty("pruning").GetProperty("accuracyBefore").GetDouble());
        Assert.Equal(3, root.GetProperty("seed").GetInt32());

        var doc = XDocument.Load(graphml);
        var graph = doc.Root!.Element(GraphMl + "graph")!;
        double Data(XElement e, string key) => double.Parse(e.Elements(GraphMl + "data").Single(d => (string?)d.Attribute("key") == key).Value, System.Globalization.CultureInfo.InvariantCulture);
        var xmlNodes = graph.Elements(GraphMl + "node").ToList();
        var xmlEdges = graph.Elements(GraphMl + "edge").ToList();
        Assert.Equal(nodes.Count, xmlNodes.Count);
        Assert.Equal(edges.Count, xmlEdges.Count);
        for (int i = 0; i < nodes.Count; i++)
        {
            Assert.Equal(nodes[i].GetProperty("betweenness").GetDouble(), Data(xmlNodes[i], "d_betweenness"));
            Assert.Equal(nodes[i].GetProperty("community").GetInt32(), (int)Data(xmlNodes[i], "d_community"));
            Assert.Equal(nodes[i].GetProperty("layer").GetInt32(), (int)Data(xmlNodes[i], "d_layer"));
        }
        for (int e = 0; e < edges.Count; e++) Assert.Equal(edges[e].GetProperty("flow").GetDouble(), Data(xmlEdges[e], "d_flow"));

        // The reported modularity is Newman's Q of the reported partition on the undirected flow graph (gamma 1),
        // recomputed here from the edge table.
        double modularity = root.GetProperty("communities").GetProperty("modularity").GetDouble();
        Assert.Equal(modularity, Data(graph, "d_modularity"));
        var community = nodes.Select(n => n.GetProperty("community").GetInt32()).ToArray();
        var members = root.GetProperty("communities").GetProperty("members").EnumerateArray()
            .SelectMany(c => c.GetProperty("nodes").EnumerateArray().Select(n => (Node: n.GetInt32(), Community: c.GetProperty("community").GetInt32())))
            .OrderBy(p => p.Node).ToList();
        Assert.Equal(Enumerable.Range(0, nodes.Count), members.Select(p => p.Node));
        Assert.Equal(community, members.Select(p => p.Community));
        Assert.Equal(root.GetProperty("communities").GetProperty("count").GetInt32(), community.Distinct().Count());
        var degree = new double[nodes.Count];
        double m = 0, inside = 0;
        foreach (var e in edges)
        {
            int u = e.GetProperty("from").GetInt32(), v = e.GetProperty("to").GetInt32();
            double w = e.GetProperty("flow").GetDouble();
            degree[u] += w;
            degree[v] += w;
            m += w;
            if (community[u] == community[v]) inside += 2 * w;
        }
        double expected = inside / (2 * m);
        foreach (var c in community.Distinct())
        {
            double k = Enumerable.Range(0, nodes.Count).Where(i => community[i] == c).Sum(i => degree[i]);
            expected -= k * k / (4 * m * m);
        }
        Assert.True(Math.Abs(expected - modularity) <= 1e-12, $"modularity {modularity} vs recomputed {expected} (tol 1e-12)");
    }

    [Fact]
    public void Nif_PrunedModelOption_WritesAModelThatLoadsAndKeepsTheReportedAccuracy()
    {
        // The cancer fixture's held-out set has a stifled unit (see docs/nif.md); the pruned copy must load and
        // reproduce the reported accuracy after pruning.
        string Cancer(string file) => TestPaths.Fixture("cancer_nif_mlp", file);
        string json = Path.Combine(_folder, "cancer.json"), pruned = Path.Combine(_folder, "cancer_pruned.onnx");
        var (exit, _, error) = Run("nif", Cancer("model.onnx"), "--input", Cancer("test_x.npy"), "--labels", Cancer("test_y.npy"),
            "--layers", "/relu1/Relu_output_0,/relu2/Relu_output_0", "--json", json, "--pruned-model", pruned);
        Assert.True(exit == 0, error);
        var pruning = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("pruning");
        var session = new ModelAudit.Onnx.OnnxSession(ModelAudit.Onnx.OnnxModel.Load(pruned));
        var x = ModelAudit.Tensors.Io.NpyFile.Read(Cancer("test_x.npy"));
        var labels = ModelAudit.Tensors.Io.NpyFile.Read(Cancer("test_y.npy")).ToInt64();
        var logits = session.Run(x.ToTensor(), []).Single().Value.ToArray();
        int correct = 0;
        for (int i = 0; i < labels.Length; i++) if ((logits[2 * i + 1] > logits[2 * i] ? 1 : 0) == labels[i]) correct++;
        Assert.Equal(pruning.GetProperty("accuracyAfter").GetDouble(), (double)correct / labels.Length, 12);
        Assert.True(pruning.GetProperty("zeroedParameters").GetInt32() > 0 == (pruning.GetProperty("units").GetArrayLength() > 0));
    }

    [Fact]
    public void Nif_LabelsOfWrongLength_ExitsWithInvalidInputAndOneLine()
    {
        string json = Path.Combine(_folder, "bad.json");
        var (exit, _, error) = Run("nif", Iris("model.onnx"), "--input", Iris("test_x.npy"), "--labels", Iris("train_y.npy"), "--json", json);
        Assert.Equal(3, exit);
        Assert.Equal("error: " + Iris("train_y.npy") + ": expected integer labels of shape [30], got int64 [120]", error.Trim());
        Assert.False(File.Exists(json));
    }

    [Fact]
    public void Nif_EdgeBoundOverMaxEdges_ExitsWithInvalidInputNamingTheBudgetBeforeAnyWork()
    {
        // 4 x 5 + 5 x 3 = 35 edges at most; the budget 34 refuses the run before the forward pass.
        string json = Path.Combine(_folder, "refused.json");
        var (exit, output, error) = Run("nif", Iris("model.onnx"), "--input", Iris("test_x.npy"), "--labels", Iris("test_y.npy"),
            "--layers", "/relu1/Relu_output_0", "--max-edges", "34", "--json", json);
        Assert.Equal(3, exit);
        Assert.Equal("error: nif: 35 edges over the budget of 34 (analyses.nif.max_edges / --max-edges); lower analyses.nif.max_units (--max-units, now 32) or choose fewer layers", error.Trim());
        Assert.DoesNotContain("nif:", output, StringComparison.Ordinal);
        Assert.False(File.Exists(json));
    }

    [Fact]
    public void Nif_IrisFixture_PrintsTheEstimateAndOneLinePerLayerPairWithEta()
    {
        var (exit, output, error) = Run("nif", Iris("model.onnx"), "--input", Iris("test_x.npy"), "--labels", Iris("test_y.npy"),
            "--layers", "/relu1/Relu_output_0", "--estimator", "ksg", "--json", Path.Combine(_folder, "p.json"));
        Assert.True(exit == 0, error);
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains("nif: 2 layer pairs, at most 35 edges (budget 20,000), ", lines[0], StringComparison.Ordinal);
        var pairLines = lines.Where(l => l.StartsWith("nif: pair ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, pairLines.Count);
        Assert.StartsWith("nif: pair 1/2: 20 edges (ksg), 20/35 edges done, ", pairLines[0], StringComparison.Ordinal);
        Assert.Contains(" elapsed, ETA ", pairLines[0], StringComparison.Ordinal);
        Assert.StartsWith("nif: pair 2/2: 15 edges (ksg), 35/35 edges done, ", pairLines[1], StringComparison.Ordinal);
        Assert.EndsWith("ETA 0.0 s", pairLines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Nif_UnknownEstimator_ExitsWithInvalidInput()
    {
        var (exit, _, error) = Run("nif", Iris("model.onnx"), "--input", Iris("test_x.npy"), "--labels", Iris("test_y.npy"),
            "--estimator", "kde", "--json", Path.Combine(_folder, "x.json"));
        Assert.Equal(3, exit);
        Assert.Single(error.Trim().Split('\n'));
    }
}
