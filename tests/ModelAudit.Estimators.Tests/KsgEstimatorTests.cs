namespace ModelAudit.Estimators.Tests;

public sealed class KsgEstimatorTests
{
    private static readonly KsgEstimator Exact = new(new KsgOptions(JitterScale: 0, Standardize: false));

    public static TheoryData<int> ContinuousCases => Goldens.Indices("ksg_cc");

    public static TheoryData<int> DiscreteCases => Goldens.Indices("ksg_cd");

    public static TheoryData<int> EntropyCases => Goldens.Indices("kl_entropy");

    [Theory]
    [MemberData(nameof(ContinuousCases))]
    public void MutualInformation_RealDataColumnsWithoutJitter_MatchesSklearnComputeMiCc(int index)
    {
        var golden = Goldens.Get("ksg_cc")[index];
        var actual = Exact.MutualInformation(golden.Column("x"), golden.Column("y"));
        Precision.AssertClose(golden.Number("mi_bits"), actual, relTol: 1e-6, floor: 1e-12);
    }

    [Theory]
    [MemberData(nameof(DiscreteCases))]
    public void MutualInformation_RealDataColumnAndTargetWithoutJitter_MatchesSklearnComputeMiCd(int index)
    {
        var golden = Goldens.Get("ksg_cd")[index];
        var actual = Exact.MutualInformation(golden.Column("x"), golden.GetProperty("labels").Ints());
        Precision.AssertClose(golden.Number("mi_bits"), actual, relTol: 1e-6);
    }

    [Theory]
    [MemberData(nameof(ContinuousCases))]
    public void MutualInformation_DefaultStandardizeAndJitter_MatchesSklearnMutualInfoRegression(int index)
    {
        // Tie-free data: sklearn's 1e-10 noise and ours differ in stream but move no neighbour count.
        var golden = Goldens.Get("ksg_cc")[index];
        var actual = new KsgEstimator().MutualInformation(golden.Column("x"), golden.Column("y"));
        Precision.AssertClose(golden.Number("sklearn_public_bits"), actual, relTol: 1e-6);
    }

    [Theory]
    [MemberData(nameof(DiscreteCases))]
    public void MutualInformation_DefaultsWithLabels_MatchesSklearnMutualInfoClassif(int index)
    {
        var golden = Goldens.Get("ksg_cd")[index];
        var actual = new KsgEstimator().MutualInformation(golden.Column("x"), golden.GetProperty("labels").Ints());
        Precision.AssertClose(golden.Number("sklearn_public_bits"), actual, relTol: 1e-6);
    }

    [Theory]
    [MemberData(nameof(EntropyCases))]
    public void Entropy_IrisColumns_MatchesKozachenkoLeonenkoWithScipyKdTree(int index)
    {
        var golden = Goldens.Get("kl_entropy")[index];
        var actual = Exact.Entropy(golden.Matrix());
        Precision.AssertClose(golden.Number("entropy_bits"), actual, relTol: 1e-9);
    }

    [Theory]
    [MemberData(nameof(EntropyCases))]
    public void Entropy_DefaultOptions_KeepsUnitsAndMatchesKozachenkoLeonenko(int index)
    {
        // Default jitter (1e-10 relative) moves no neighbour; standardizing would shift H by sum log2(1/std).
        var golden = Goldens.Get("kl_entropy")[index];
        Precision.AssertClose(golden.Number("entropy_bits"), new KsgEstimator().Entropy(golden.Matrix()), relTol: 1e-6);
    }

    [Fact]
    public void MutualInformation_SameSeed_IsBitIdentical()
    {
        var golden = Goldens.Get("ksg_cc")[0];
        var estimator = new KsgEstimator(new KsgOptions(Seed: 7));
        var first = estimator.MutualInformation(golden.Column("x"), golden.Column("y"));
        var second = estimator.MutualInformation(golden.Column("x"), golden.Column("y"));
        Assert.Equal(BitConverter.DoubleToInt64Bits(first), BitConverter.DoubleToInt64Bits(second));
    }

    [Fact]
    public void MutualInformation_TwoClustersOfTiedValuesWithJitter_EqualsRossIdentity()
    {
        // 50 copies of 0 labelled 0 and 50 copies of 100 labelled 1: only the jitter separates the ties. Every
        // class-k radius stays inside its cluster, so m_i = k (self + k - 1 strictly closer) and
        // I = psi(100) + psi(3) - psi(50) - psi(3) = psi(100) - psi(50) nats exactly.
        var values = Enumerable.Range(0, 100).Select(i => i < 50 ? 0f : 100f).ToArray();
        var labels = Enumerable.Range(0, 100).Select(i => i < 50 ? 0 : 1).ToArray();
        var estimate = new KsgEstimator().MutualInformation(new SampleMatrix(values, 100, 1), labels);
        var expected = (MathNet.Numerics.SpecialFunctions.DiGamma(100) - MathNet.Numerics.SpecialFunctions.DiGamma(50)) / Math.Log(2);
        Precision.AssertClose(expected, estimate, relTol: 1e-12);
    }
}
