namespace ModelAudit.Graphs.Tests;

public class BetweennessCentralityTests
{
    public static TheoryData<BetweennessGolden> Cases()
    {
        var data = new TheoryData<BetweennessGolden>();
        foreach (var golden in Goldens.Load<BetweennessGolden>("betweenness"))
        {
            data.Add(golden);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compute_NetworkXGolden_MatchesTo1e9(BetweennessGolden golden)
    {
        var graph = Goldens.BuildGraph(golden.N, golden.Edges);
        var centrality = new BetweennessCentrality(graph, Enum.Parse<EdgeLength>(golden.Length),
            golden.Normalized, golden.Endpoints, golden.Directed);

        centrality.Compute();

        Tolerance.AssertClose(golden.Expected, centrality.Values, relTol: 1e-9);
    }

    [Fact]
    public void Compute_UndirectedPath_InnerNodesTwoThirds()
    {
        // NetworkX docs value: path 0-1-2-3 normalized gives {0: 0, 1: 2/3, 2: 2/3, 3: 0}.
        var builder = new WeightedDigraphBuilder(4);
        builder.Add(0, 1, 1);
        builder.Add(1, 2, 1);
        builder.Add(2, 3, 1);
        var centrality = new BetweennessCentrality(builder.Build(), EdgeLength.Unweighted, directed: false);

        centrality.Compute();

        Tolerance.AssertClose([0, 2.0 / 3, 2.0 / 3, 0], centrality.Values, relTol: 1e-12);
    }

    [Fact]
    public void Compute_SameInputTwice_BitIdentical()
    {
        var golden = Goldens.Load<BetweennessGolden>("betweenness").Last(g => g.Directed);
        var graph = Goldens.BuildGraph(golden.N, golden.Edges);
        var first = new BetweennessCentrality(graph);
        var second = new BetweennessCentrality(graph);

        first.Compute();
        second.Compute();

        Assert.Equal(first.Values, second.Values);
    }

    [Fact]
    public void Compute_NegativeWeight_Throws()
    {
        var builder = new WeightedDigraphBuilder(2);
        builder.Add(0, 1, -1);

        Assert.Throws<ArgumentException>(() => new BetweennessCentrality(builder.Build()).Compute());
    }

    [Fact]
    public void Values_BeforeCompute_Throws()
    {
        var centrality = new BetweennessCentrality(new WeightedDigraphBuilder(3).Build());

        Assert.Throws<InvalidOperationException>(() => centrality.Values);
    }
}
