namespace ModelAudit.Nif.Tests;

/// <summary>The paper's setting on the committed fixtures: accuracy as exported, dead units, pruning.</summary>
public class PaperSettingTests
{
    private static readonly NifOptions Options = new() { Layers = ["/relu1/Relu_output_0"], Seed = 0 };

    [Fact]
    public void Run_IrisHeldOut_AccuracyAtLeast096AsExported()
    {
        var iris = new NifFixture("iris_nif_mlp");
        var result = NifAnalysis.Run(iris.Session, iris.TestX, iris.TestRows, iris.TestY, Options with { CompareAttributions = false });
        Assert.True(result.Pruning!.AccuracyBefore >= 0.96, $"held-out accuracy {result.Pruning.AccuracyBefore} < 0.96");
    }

    [Fact]
    public void Run_IrisTrain_PrintsSummary()
    {
        var iris = new NifFixture("iris_nif_mlp");
        var result = NifAnalysis.Run(iris.Session, iris.TrainX, iris.TrainRows, iris.TrainY, Options);
        var lines = new List<string>();
        foreach (var p in result.LayerPairs) lines.Add($"pair {p.From}->{p.To} {p.Estimator} edges {p.Edges} est {p.Estimated} floor {p.NoiseFloor:F4} clipped {p.ClippedCount}");
        foreach (var e in result.Edges) lines.Add($"edge {e.From}->{e.To} mi {e.MutualInformation:F4} flow {e.Flow:F4} above {e.AboveNoiseFloor}");
        foreach (var d in result.DeadUnits) lines.Add($"dead {d.Label} {d.Kind} zeros {d.ZeroFraction:F3} mean {d.Mean:F3} max {d.Max:F3}");
        lines.Add($"pruning {result.Pruning}");
        lines.Add($"acc before {result.Pruning!.AccuracyBefore} after {result.Pruning.AccuracyAfter}");
        foreach (var c in result.Comparisons) lines.Add($"ks {c.Method} D {c.Statistic} p {c.PValue}");
        File.WriteAllLines("/tmp/nif_iris_summary.txt", lines);
        Assert.Fail(string.Join("\n", lines));
    }
}
