namespace ModelAudit.Graphs.Tests;

public class ModularityTests
{
    public static TheoryData<ModularityGolden> Cases()
    {
        var data = new TheoryData<ModularityGolden>();
        foreach (var golden in Goldens.Load<ModularityGolden>("modularity"))
        {
            data.Add(golden);
        }

        return data;
    }

    [Theory]
    [InlineData(1.0, 0.357143)]
    [InlineData(0.5, 0.607143)]
    [InlineData(2.0, -0.142857)]
    public void Compute_TwoTrianglesJoined_NetworkXBarbellValue(double resolution, double expected)
    {
        // nx.barbell_graph(3, 0) split into its triangles: NetworkX documents 0.35714285714285715 at gamma 1.
        var builder = new WeightedDigraphBuilder(6);
        foreach (var (u, v) in new[] { (0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5), (2, 3) })
        {
            builder.Add(u, v, 1);
        }

        double q = Modularity.Compute(builder.Build(), [0, 0, 0, 1, 1, 1], resolution, directed: false);

        Tolerance.AssertClose(expected, q, absTol: 1e-6);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compute_RandomGraphs_MatchesNetworkXTo1e12(ModularityGolden golden)
    {
        var graph = Goldens.BuildGraph(golden.N, golden.Edges);

        double q = Modularity.Compute(graph, golden.Communities, golden.Resolution, golden.Directed);

        Tolerance.AssertClose(golden.Expected, q, absTol: 1e-12);
    }

    [Fact]
    public void Compute_SelfLoopUndirected_CountsTwiceInDegree()
    {
        // Identity: one node with a self-loop of weight w, one community: L/m - (2w)^2/(2w)^2 = 1 - 1 = 0.
        var builder = new WeightedDigraphBuilder(1);
        builder.Add(0, 0, 3);

        double q = Modularity.Compute(builder.Build(), [0], directed: false);

        Tolerance.AssertClose(0, q, absTol: 1e-15);
    }

    [Fact]
    public void Compute_WrongLabelCount_Throws()
    {
        var builder = new WeightedDigraphBuilder(3);
        builder.Add(0, 1, 1);

        Assert.Throws<ArgumentException>(() => Modularity.Compute(builder.Build(), [0, 1]));
    }
}
