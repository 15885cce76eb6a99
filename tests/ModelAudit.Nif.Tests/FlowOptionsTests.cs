namespace ModelAudit.Nif.Tests;

/// <summary>Estimator choice and the relevance-redundancy form on the iris fixture.</summary>
public class FlowOptionsTests
{
    private static readonly NifFixture Iris = new("iris_nif_mlp");

    private static NifResult Run(NifOptions options)
        => NifAnalysis.Run(Iris.Session, Iris.TrainX, Iris.TrainRows, Iris.TrainY, options with { Layers = ["/relu1/Relu_output_0"], CompareAttributions = false });

    [Theory]
    [InlineData(FlowEstimator.Ksg, "ksg")]
    [InlineData(FlowEstimator.Binning, "binning")]
    public void Run_ForcedEstimator_NamedPerLayerPairAndFlowsAreItsEstimates(FlowEstimator estimator, string name)
    {
        var result = Run(new NifOptions { Estimator = estimator });
        Assert.All(result.LayerPairs, p => Assert.Equal(name, p.Estimator));
        // beta = 0: the flow is the estimate clipped at 0.
        Assert.All(result.Edges, e => Assert.Equal(Math.Max(0, e.MutualInformation), e.Flow));
        Assert.Equal(result.Edges.Count(e => e.MutualInformation < 0), result.LayerPairs.Sum(p => p.ClippedCount));
    }

    [Fact]
    public void Run_AutoWithSmallEdgeLimit_FallsBackToKsgAbove()
    {
        // 20 input edges > 16 use KSG; the 15 output edges stay with MINE.
        var result = Run(new NifOptions { Estimator = FlowEstimator.Auto, MaxMineEdges = 16 });
        Assert.Equal("ksg", result.LayerPairs[0].Estimator);
        Assert.Equal("mine", result.LayerPairs[1].Estimator);
    }

    [Fact]
    public void Run_PositiveBeta_SubtractsRedundancyOnlyAfterTheFirstUnit()
    {
        var plain = Run(new NifOptions { Estimator = FlowEstimator.Ksg });
        var redundant = Run(new NifOptions { Estimator = FlowEstimator.Ksg, Beta = 0.5 });
        // Same seed: identical MI; unit 0 of a layer has no j < 0, so its flows are unchanged.
        Assert.Equal(plain.Edges.Select(e => e.MutualInformation), redundant.Edges.Select(e => e.MutualInformation));
        var inputNodes = plain.Nodes.Where(n => n.Layer == 0).ToDictionary(n => n.Id, n => n.Unit);
        foreach (var (p, r) in plain.Edges.Zip(redundant.Edges))
        {
            if (inputNodes.TryGetValue(p.From, out int unit) && unit == 0) Assert.Equal(p.Flow, r.Flow);
            else Assert.True(r.Flow <= p.Flow, $"edge {p.From}->{p.To}: flow with beta {r.Flow} > without {p.Flow}");
        }
        // Iris features are strongly dependent: the redundancy term must bite somewhere among the input edges.
        Assert.Contains(plain.Edges.Zip(redundant.Edges), pr => inputNodes.ContainsKey(pr.First.From) && pr.Second.Flow < pr.First.Flow);
    }
}
