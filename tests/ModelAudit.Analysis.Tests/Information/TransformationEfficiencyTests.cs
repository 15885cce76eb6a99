using ModelAudit.Analysis.Information;
using ModelAudit.Estimators;

namespace ModelAudit.Analysis.Tests.Information;

public class TransformationEfficiencyTests
{
    /// <summary>An estimator that answers from a table keyed by the matrices' first value, to check the ITE algebra exactly.</summary>
    private sealed class TableEstimator(Dictionary<float, double> entropy, Dictionary<(float, float), double> mi, Dictionary<float, double> withLabels)
        : IMutualInformationEstimator
    {
        public string Name => "table";

        public double Entropy(SampleMatrix x) => entropy[x.Data[0]];

        public double MutualInformation(SampleMatrix a, SampleMatrix b) => mi[(a.Data[0], b.Data[0])];

        public double MutualInformation(SampleMatrix a, int[] labels) => withLabels[a.Data[0]];
    }

    private static SampleMatrix Tagged(float tag) => new([tag, 0, 0, 0], 4, 1);

    [Fact]
    public void Compute_TwoLayers_MatchesPaperFormulas()
    {
        // X (tag 0): H = 4, I(X;Y) = 0.5. T0 (tag 1): H = 3, I(T0;Y) = 1.0. T1 (tag 2): H = 1.5, I(T1;Y) = 1.5.
        // Labels 0,0,1,1: H(Y) = 1 bit. I(T0;T1) = 1.2.
        var estimator = new TableEstimator(
            new() { [0] = 4, [1] = 3, [2] = 1.5 },
            new() { [(1, 2)] = 1.2 },
            new() { [0] = 0.5, [1] = 1.0, [2] = 1.5 });
        var ite = new TransformationEfficiency(estimator, new EfficiencyWeights(0.2, 0.3, 0.5));
        var result = ite.Compute(Tagged(0), [0, 0, 1, 1], [Tagged(1), Tagged(2)], ["t0", "t1"]);

        // Layer 0: C = -(3-4)/4 = 0.25; P = 1.2/min(3,1.5) = 0.8; U = (1.0-0.5)/(1-0.5) = 1.0; E = 0.05+0.24+0.5.
        Assert.Equal(0.25, result[0].Compression!.Value, 12);
        Assert.Equal(0.8, result[0].Preservation!.Value, 12);
        Assert.Equal(1.0, result[0].Usefulness!.Value, 12);
        Assert.Equal(0.79, result[0].Efficiency!.Value, 12);

        // Layer 1: C = -(1.5-3)/3 = 0.5; P undefined (last layer); U: H(Y) - I(T0;Y) = 0 -> undefined; E from C alone.
        Assert.Equal(0.5, result[1].Compression!.Value, 12);
        Assert.Null(result[1].Preservation);
        Assert.Null(result[1].Usefulness);
        Assert.Equal(0.5, result[1].Efficiency!.Value, 12);
        Assert.Contains(result[1].Notes, n => n.StartsWith("preservation"));
        Assert.Contains(result[1].Notes, n => n.StartsWith("usefulness"));
    }

    [Fact]
    public void Compute_EntropyAtLog2N_WarnsSaturated()
    {
        // N = 4 samples: log2 N = 2 bits.
        var estimator = new TableEstimator(new() { [0] = 2, [1] = 2 }, [], new() { [0] = 1, [1] = 1 });
        var result = new TransformationEfficiency(estimator, new EfficiencyWeights()).Compute(Tagged(0), [0, 1, 0, 1], [Tagged(1)], ["t0"]);
        Assert.Contains(result[0].Notes, n => n.StartsWith("saturated"));
    }

    [Fact]
    public void LabelEntropy_ThreeClassesOneHalfOneQuarterOneQuarter_IsOnePointFiveBits()
        => Assert.Equal(1.5, TransformationEfficiency.LabelEntropy([0, 0, 1, 2]), 12);
}
