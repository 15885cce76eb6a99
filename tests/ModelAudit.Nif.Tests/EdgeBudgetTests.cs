using ModelAudit.Onnx;

namespace ModelAudit.Nif.Tests;

/// <summary>The up-front estimate and the edge budget on the iris fixture (4 features, 5 hidden units, 3 classes).</summary>
public class EdgeBudgetTests
{
    private const string Hidden = "/relu1/Relu_output_0";
    private static readonly NifFixture Iris = new("iris_nif_mlp");

    [Fact]
    public void Run_EdgeBoundOverTheBudget_RefusedBeforeAnyWorkNamingTheBudget()
    {
        // Bound with every unit kept (max_units 32 >= every width): 4 x 5 + 5 x 3 = 35 edges.
        var progress = new List<NifProgress>();
        var e = Assert.Throws<ModelInputException>(() => NifAnalysis.Run(Iris.Session, Iris.TrainX, Iris.TrainRows, Iris.TrainY,
            new NifOptions { Layers = [Hidden], MaxEdges = 34, CompareAttributions = false }, progress: progress.Add));
        Assert.Equal("nif: 35 edges over the budget of 34 (analyses.nif.max_edges / --max-edges); lower analyses.nif.max_units (--max-units, now 32) or choose fewer layers", e.Message);
        // Not even the admission event: no forward, backward or estimate ran.
        Assert.Empty(progress);
    }

    [Fact]
    public void Run_EdgeBoundEqualToTheBudget_Admitted()
    {
        var progress = new List<NifProgress>();
        var result = NifAnalysis.Run(Iris.Session, Iris.TrainX, Iris.TrainRows, Iris.TrainY,
            new NifOptions { Layers = [Hidden], MaxEdges = 35, Estimator = FlowEstimator.Ksg, CompareAttributions = false }, progress: progress.Add);
        Assert.Equal(35, result.Estimate.EdgeUpperBound);
        Assert.Equal(NifStage.Admitted, progress[0].Stage);
        Assert.Same(result.Estimate, progress[0].Estimate);
        // One flows event per layer pair, in order, the last with every edge done.
        var flows = progress.Where(p => p.Stage == NifStage.Flows).ToList();
        Assert.Equal([0, 1], flows.Select(p => p.PairIndex));
        Assert.Equal(result.Edges.Count, flows[^1].Done);
        Assert.Equal(result.Edges.Count, flows[^1].Total);
    }

    [Fact]
    public void Run_ThreeUnitsPerLayerWithRedundancy_EstimateEqualsTheHandCount()
    {
        var mine = new MineOptions(Steps: 50);
        var result = NifAnalysis.Run(Iris.Session, Iris.TrainX, Iris.TrainRows, Iris.TrainY,
            new NifOptions { Layers = [Hidden], MaxUnits = 3, Beta = 0.5, Mine = mine, CompareAttributions = false });
        var estimate = result.Estimate;
        // Selected 3 of 4 features, 3 of 5 hidden units, all 3 classes.
        Assert.Equal([3, 3, 3], estimate.SelectedUnits);
        Assert.Equal([9L, 9L], estimate.PairEdgeBounds);
        Assert.Equal(18, estimate.EdgeUpperBound);
        // Per pair: 9 edges + min(16, 9) null pairs + 3 x 2 / 2 redundancy pairs = 21; two pairs.
        Assert.Equal(42, estimate.Estimations);
        // Later-layer units (3 + 3) times one chunk (120 rows <= 128).
        Assert.Equal(6, estimate.BackwardPasses);
        // MINE (9 <= 4096 edges): 42 x 50 steps x 26 us x (16 / 16 hidden).
        Assert.Equal(42 * 50 * 26e-6, estimate.EstimatedSeconds, 12);
        Assert.Equal(["mine", "mine"], estimate.PairEstimators);

        // The nodes are the selected units, numbered by their original index; edges only among them.
        Assert.Equal(9, result.Nodes.Count);
        for (int l = 0; l < 3; l++)
            Assert.Equal(result.SelectedUnits[l], result.Nodes.Where(n => n.Layer == l).Select(n => n.Unit));
        Assert.All(result.Edges, e => Assert.Equal(result.Nodes[e.From].Layer + 1, result.Nodes[e.To].Layer));
        Assert.True(result.Edges.Count <= 18);
        // The features kept are the three of largest variance over the audit samples (computed here directly).
        var variance = Enumerable.Range(0, 4).Select(f =>
        {
            var column = Enumerable.Range(0, Iris.TrainRows).Select(n => (double)Iris.TrainX[n * 4 + f]).ToArray();
            double mean = column.Average();
            return column.Sum(v => (v - mean) * (v - mean));
        }).ToArray();
        int dropped = Array.IndexOf(variance, variance.Min());
        Assert.Equal(Enumerable.Range(0, 4).Where(f => f != dropped), result.SelectedUnits[0]);
    }

    [Fact]
    public void Run_EveryUnitKept_SameGraphAsWithoutACap()
    {
        // max_units at least every width is the analysis without selection: identical to max_units 0.
        var capped = NifAnalysis.Run(Iris.Session, Iris.TrainX, Iris.TrainRows, Iris.TrainY,
            new NifOptions { Layers = [Hidden], Estimator = FlowEstimator.Ksg, MaxUnits = 5, CompareAttributions = false });
        var all = NifAnalysis.Run(Iris.Session, Iris.TrainX, Iris.TrainRows, Iris.TrainY,
            new NifOptions { Layers = [Hidden], Estimator = FlowEstimator.Ksg, MaxUnits = 0, CompareAttributions = false });
        Assert.Equal(all.Edges, capped.Edges);
        Assert.Equal(all.Nodes, capped.Nodes);
    }
}
