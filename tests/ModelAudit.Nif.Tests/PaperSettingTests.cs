using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Nif.Tests;

/// <summary>
/// The paper's setting on the committed fixtures (iris_nif_mlp 4-5-3, cancer_nif_mlp 30-10-6-2): accuracy as
/// exported and run by our engine, dead units with zero flow, pruning that leaves accuracy unchanged.
/// </summary>
public sealed class PaperSettingTests : IDisposable
{
    private const string IrisHidden = "/relu1/Relu_output_0";
    private readonly string _folder = Directory.CreateTempSubdirectory("nif-tests").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static NifOptions Options(params string[] layers) => new() { Layers = layers, Seed = 0, CompareAttributions = false };

    [Fact]
    public void Run_IrisHeldOut_AccuracyAtLeast096AsExported()
    {
        var iris = new NifFixture("iris_nif_mlp");
        var result = NifAnalysis.Run(iris.Session, iris.TestX, iris.TestRows, iris.TestY, Options(IrisHidden));
        Assert.True(result.Pruning!.AccuracyBefore >= 0.96, $"held-out accuracy {result.Pruning.AccuracyBefore} < 0.96");
    }

    [Theory]
    [InlineData("iris_nif_mlp", new[] { IrisHidden }, new string[0])]
    [InlineData("cancer_nif_mlp", new[] { "/relu1/Relu_output_0", "/relu2/Relu_output_0" }, new[] { "/relu2/Relu_output_0[4]" })]
    public void Run_TrainedFixture_DeadUnitsHaveZeroFlowAndPruningKeepsAccuracy(string fixture, string[] layers, string[] expectedDead)
    {
        // Golden: a NumPy forward of the exported weights over train_x finds exactly one always-zero ReLU,
        // cancer relu2 unit 4, and none in iris (the variant test below makes one there).
        var f = new NifFixture(fixture);
        var result = NifAnalysis.Run(f.Session, f.TrainX, f.TrainRows, f.TrainY, Options(layers));
        Assert.Equal(expectedDead, result.DeadUnits.Select(d => d.Label));
        Assert.All(result.DeadUnits, d =>
        {
            Assert.Equal("dead", d.Kind);
            Assert.Equal(1.0, d.ZeroFraction);
        });
        AssertDeadUnitsCarryNoFlow(result);
        Assert.Equal(expectedDead, result.Pruning!.PrunedUnits);
        Assert.Equal(result.Pruning.AccuracyBefore, result.Pruning.AccuracyAfter);
    }

    [Fact]
    public void Run_IrisWithUnitZeroed_FindsItDeadWithoutEdgesAndPruningChangesNothing()
    {
        // Variant: hidden unit 2's incoming weights and bias zeroed, so its ReLU is always 0.
        var iris = new NifFixture("iris_nif_mlp");
        string variant = Path.Combine(_folder, "iris_dead2.onnx");
        ZeroHiddenUnit(iris, unit: 2, variant);
        var session = new OnnxSession(OnnxModel.Load(variant));
        var result = NifAnalysis.Run(session, iris.TrainX, iris.TrainRows, iris.TrainY, Options(IrisHidden));

        var unit = result.Nodes.Single(n => n.LayerName == IrisHidden && n.Unit == 2);
        var dead = Assert.Single(result.DeadUnits, d => d.Node == unit.Id);
        Assert.Equal("dead", dead.Kind);
        Assert.Equal(1.0, dead.ZeroFraction);
        Assert.Equal(0.0, dead.Max);
        Assert.DoesNotContain(result.Edges, e => e.To == unit.Id);
        Assert.All(result.Edges.Where(e => e.From == unit.Id), e => Assert.Equal(0.0, e.Flow));
        Assert.Equal(0.0, unit.InFlow);
        Assert.Equal(0.0, unit.OutFlow);
        AssertDeadUnitsCarryNoFlow(result);
        Assert.Contains(dead.Label, result.Pruning!.PrunedUnits);
        Assert.Equal(result.Pruning.AccuracyBefore, result.Pruning.AccuracyAfter);
    }

    [Fact]
    public void Run_IrisWithOneWeightZeroed_HasNoEdgeForIt()
    {
        // Jacobian connectivity: a zero weight is no edge, whatever the architecture.
        var iris = new NifFixture("iris_nif_mlp");
        string variant = Path.Combine(_folder, "iris_w13.onnx");
        var (weights, _) = FirstGemm(iris);
        var changed = (float[])weights.Clone();
        changed[1 * 4 + 3] = 0; // fc1 row 1 (hidden unit 1), input feature 3
        InitializerRewrite.Write(iris.ModelPath, variant, [(weights, changed)]);
        var result = NifAnalysis.Run(new OnnxSession(OnnxModel.Load(variant)), iris.TrainX, iris.TrainRows, iris.TrainY, Options(IrisHidden));
        var hidden1 = result.Nodes.Single(n => n.LayerName == IrisHidden && n.Unit == 1).Id;
        var input3 = result.Nodes.Single(n => n.Layer == 0 && n.Unit == 3).Id;
        Assert.DoesNotContain(result.Edges, e => e.From == input3 && e.To == hidden1);
        Assert.Equal(4 * 5 - 1, result.LayerPairs[0].Edges);
        Assert.Equal(5 * 3, result.LayerPairs[1].Edges);
    }

    [Fact]
    public void Run_PrunedModelWritten_LoadsBackWithTheUnitsZeroedAndSameOutputsElsewhere()
    {
        var iris = new NifFixture("iris_nif_mlp");
        string variant = Path.Combine(_folder, "iris_dead4.onnx");
        ZeroHiddenUnit(iris, unit: 4, variant, keepWeights: true);
        string pruned = Path.Combine(_folder, "iris_pruned.onnx");
        var session = new OnnxSession(OnnxModel.Load(variant));
        var result = NifAnalysis.Run(session, iris.TrainX, iris.TrainRows, iris.TrainY, Options(IrisHidden) with { PrunedModelPath = pruned });
        Assert.Contains(result.DeadUnits, d => d.Label == $"{IrisHidden}[4]" && d.Kind == "dead");

        // The written file: the pruned units' fc1 rows and biases are zero, every other parameter as before;
        // with only the dead unit pruned the logits are unchanged on every sample (it was always 0).
        var (prunedWeights, prunedBias) = FirstGemm(new OnnxSession(OnnxModel.Load(pruned)));
        var (weights, bias) = FirstGemm(session);
        var prunedRows = result.Pruning!.PrunedUnits.Where(u => u.StartsWith(IrisHidden, StringComparison.Ordinal))
            .Select(u => int.Parse(u[(IrisHidden.Length + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        Assert.Contains(4, prunedRows);
        for (int i = 0; i < weights.Length; i++) Assert.Equal(prunedRows.Contains(i / 4) ? 0f : weights[i], prunedWeights[i]);
        for (int k = 0; k < bias.Length; k++) Assert.Equal(prunedRows.Contains(k) ? 0f : bias[k], prunedBias[k]);
        var x = Tensor.FromArray(iris.TestX, iris.TestRows, 4);
        var before = session.Run(x, []).Single().Value.ToArray();
        var after = new OnnxSession(OnnxModel.Load(pruned)).Run(x, []).Single().Value.ToArray();
        if (prunedRows.Count == 1) Assert.Equal(before, after);
    }

    [Fact]
    public void Run_SameSeedTwice_IdenticalGraphToTheLastDigit()
    {
        var iris = new NifFixture("iris_nif_mlp");
        var options = Options(IrisHidden) with { CompareAttributions = true };
        var first = NifAnalysis.Run(iris.Session, iris.TrainX, iris.TrainRows, iris.TrainY, options);
        var second = NifAnalysis.Run(iris.Session, iris.TrainX, iris.TrainRows, iris.TrainY, options);
        Assert.Equal(first.Edges, second.Edges);
        Assert.Equal(first.Nodes, second.Nodes);
        Assert.Equal(first.Attribution.SelectMany(r => r), second.Attribution.SelectMany(r => r));
        Assert.Equal(first.Modularity, second.Modularity);
        Assert.Equal(first.Comparisons.Select(c => (c.Statistic, c.PValue)), second.Comparisons.Select(c => (c.Statistic, c.PValue)));
    }

    private static void AssertDeadUnitsCarryNoFlow(NifResult result)
    {
        foreach (var d in result.DeadUnits.Where(d => d.Kind == "dead"))
        {
            Assert.All(result.Edges.Where(e => e.From == d.Node || e.To == d.Node), e =>
            {
                Assert.Equal(0.0, e.Flow);
                Assert.False(e.AboveNoiseFloor);
            });
        }
    }

    /// <summary>Writes a copy with hidden unit <paramref name="unit"/> always 0: bias -1000 (weights kept) or weights and bias zeroed.</summary>
    private static void ZeroHiddenUnit(NifFixture iris, int unit, string path, bool keepWeights = false)
    {
        var (weights, bias) = FirstGemm(iris);
        var w = (float[])weights.Clone();
        var b = (float[])bias.Clone();
        if (!keepWeights) w.AsSpan(unit * 4, 4).Clear();
        b[unit] = keepWeights ? -1000f : 0f;
        InitializerRewrite.Write(iris.ModelPath, path, [(weights, w), (bias, b)]);
    }

    private static (float[] Weights, float[] Bias) FirstGemm(NifFixture fixture) => FirstGemm(fixture.Session);

    private static (float[] Weights, float[] Bias) FirstGemm(OnnxSession session)
    {
        var graph = session.GraphFor(new TensorShape(30, 4));
        var gemm = graph.Nodes.First(n => n.Operation is Gemm);
        return (graph.Values[gemm.Inputs[1]].Data!.ToArray(), graph.Values[gemm.Inputs[2]].Data!.ToArray());
    }
}
