namespace ModelAudit.Graphs.Tests;

public class WeightedDigraphTests
{
    [Fact]
    public void Build_ParallelEdges_WeightsSummedAtFirstPosition()
    {
        var builder = new WeightedDigraphBuilder(3);
        builder.Add(0, 2, 1.5);
        builder.Add(0, 1, 2);
        builder.Add(0, 2, 0.25);

        var graph = builder.Build();

        Assert.Equal(2, graph.EdgeCount);
        Assert.Equal([2, 1], graph.Successors(0).ToArray());
        Assert.Equal([1.75, 2], graph.SuccessorWeights(0).ToArray());
        Assert.Empty(graph.Successors(1).ToArray());
    }

    [Fact]
    public void ToUndirected_BothDirections_Summed()
    {
        var builder = new WeightedDigraphBuilder(["in", "hidden", "out"]);
        builder.Add(0, 1, 1);
        builder.Add(1, 0, 2);
        builder.Add(1, 2, 4);
        builder.Add(2, 2, 8);

        var undirected = builder.Build().ToUndirected();

        Assert.True(undirected.IsUndirected);
        Assert.Equal(3, undirected.EdgeCount);
        Assert.Equal([1], undirected.Successors(0).ToArray());
        Assert.Equal([3.0], undirected.SuccessorWeights(0).ToArray());
        Assert.Equal([0, 2], undirected.Successors(1).ToArray());
        Assert.Equal([3.0, 4.0], undirected.SuccessorWeights(1).ToArray());
        Assert.Equal([1, 2], undirected.Successors(2).ToArray());
        Assert.Equal([4.0, 8.0], undirected.SuccessorWeights(2).ToArray());
        Assert.Equal("hidden", undirected.Labels![1]);
        Assert.Same(undirected, undirected.ToUndirected());
    }

    [Fact]
    public void Add_NonFiniteWeightOrBadNode_Throws()
    {
        var builder = new WeightedDigraphBuilder(2);

        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Add(0, 1, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Add(0, 2, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Add(-1, 1, 1));
    }
}
