using ModelAudit.Audit.Running;
using ModelAudit.Audit.Spec;
using ModelAudit.Nif;
using ModelAudit.Onnx;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Audit.Tests;

public sealed class NifStepTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("nif-step-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string Iris(string file) => Path.Combine(TestFiles.RepoRoot, "tests", "fixtures", "iris_mlp", file);

    [Fact]
    public void Run_NifStep_EqualsNifAnalysisOnTheSameData()
    {
        var spec = TestFiles.WriteSpec(_temp, $"""
            model: '{Iris("model.onnx")}'
            seed: 4
            data: {"{"} inputs: '{Iris("input.npy")}', labels: '{Iris("labels.npy")}' {"}"}
            layers: [op:Relu]
            analyses:
              nif: {"{ estimator: ksg, resolution: 1.0 }"}
            gates:
              - metric: nif.modularity
                direction: higher_is_better
                min: -1
            """);
        var report = new AuditRunner(AuditSpecLoader.Load(spec), NoProgress.Instance, "t").Run(null);

        var session = new OnnxSession(OnnxModel.Load(Iris("model.onnx")));
        var x = NpyFile.Read(Iris("input.npy"));
        var labels = NpyFile.Read(Iris("labels.npy")).ToInt64().Select(v => (int)v).ToArray();
        var expected = NifAnalysis.Run(session, x.ToFloat32(), x.Shape[0], labels,
            new NifOptions { Layers = ["/relu1/Relu_output_0"], Estimator = FlowEstimator.Ksg, Seed = 4, CompareAttributions = false });

        Assert.Equal(expected.DeadUnits.Count, report.Metrics.Value("nif.dead_units"));
        Assert.Equal(expected.Modularity, report.Metrics.Value("nif.modularity"));
        Assert.Equal(expected.CommunityCount, report.Metrics.Value("nif.communities"));
        Assert.Equal(expected.Nodes.Select(n => (n.Id, n.Layer, n.Betweenness, n.Community)), report.Graph!.Nodes.Select(n => (n.Id, n.Layer, n.Betweenness, n.Community)));
        Assert.Equal(expected.Edges.Select(e => e.Flow), report.Graph.Edges.Select(e => e.Flow));
        Assert.Equal(4 + 16 + 3, report.Graph.Nodes.Count);
        Assert.Equal(expected.Attribution.SelectMany(r => r), report.Graph.Attribution.SelectMany(r => r));
    }

    [Fact]
    public void Run_NifMaxUnitsThree_NineNodesAndTheBudgetCheckedOnTheCappedBound()
    {
        // iris_mlp is 4-16-3: with max_units 3 the bound is 3 x 3 + 3 x 3 = 18 edges, exactly the budget.
        var spec = TestFiles.WriteSpec(_temp, $"""
            model: '{Iris("model.onnx")}'
            data: {"{"} inputs: '{Iris("input.npy")}', labels: '{Iris("labels.npy")}' {"}"}
            layers: [op:Relu]
            analyses:
              nif: {"{ estimator: ksg, max_units: 3, max_edges: 18 }"}
            """);
        var report = new AuditRunner(AuditSpecLoader.Load(spec), NoProgress.Instance, "t").Run(null);
        Assert.Equal(9, report.Graph!.Nodes.Count);
        Assert.True(report.Graph.Edges.Count <= 18);

        var over = TestFiles.WriteSpec(_temp, File.ReadAllText(spec).Replace("max_edges: 18", "max_edges: 17", StringComparison.Ordinal), "over.yaml");
        var e = Assert.ThrowsAny<Exception>(() => new AuditRunner(AuditSpecLoader.Load(over), NoProgress.Instance, "t").Run(null));
        Assert.Contains("nif: 18 edges over the budget of 17 (analyses.nif.max_edges / --max-edges)", e.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("max_units: -1", "'analyses.nif.max_units' must be at least 0, got -1")]
    [InlineData("max_edges: 0", "'analyses.nif.max_edges' must be at least 1, got 0")]
    public void Load_NifCountOutOfRange_Refused(string setting, string message)
    {
        var path = TestFiles.WriteSpec(_temp, "model: m.onnx\ndata: { inputs: x.npy, labels: y.npy }\nanalyses:\n  nif: { " + setting + " }\n");
        var e = Assert.Throws<AuditSpecException>(() => AuditSpecLoader.Load(path));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Load_NifUnknownEstimator_ListsAllowed()
    {
        var path = TestFiles.WriteSpec(_temp, "model: m.onnx\ndata: { inputs: x.npy, labels: y.npy }\nanalyses:\n  nif: { estimator: mutual }\n");
        var e = Assert.Throws<AuditSpecException>(() => AuditSpecLoader.Load(path));
        Assert.Equal((4, 21), (e.Mark.Line, e.Mark.Column));
        Assert.Equal("'analyses.nif.estimator' must be one of auto, mine, ksg, binning; got 'mutual'", e.Message);
    }

    [Fact]
    public void DefaultLayers_SixtyFiveLayers_SixSpreadOverDepthEndingAtTheDeepest()
    {
        var layers = Enumerable.Range(0, 65).Select(i => $"l{i}").ToList();
        // floor(i * 65 / 6) - 1 for i = 1..6.
        Assert.Equal(["l9", "l20", "l31", "l42", "l53", "l64"], ModelAudit.Audit.Steps.NifStep.DefaultLayers(layers));
        Assert.Equal(layers.Take(6), ModelAudit.Audit.Steps.NifStep.DefaultLayers([.. layers.Take(6)]));
    }
}
