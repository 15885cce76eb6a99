namespace ModelAudit.Graphs.Tests;

public class LouvainCommunitiesTests
{
    public static TheoryData<LouvainGolden> Cases()
    {
        var data = new TheoryData<LouvainGolden>();
        foreach (var golden in Goldens.Load<LouvainGolden>("louvain"))
        {
            data.Add(golden);
        }

        return data;
    }

    public static TheoryData<LouvainGolden> PlantedCases()
    {
        var data = new TheoryData<LouvainGolden>();
        foreach (var golden in Goldens.Load<LouvainGolden>("louvain").Where(g => g.Planted is not null))
        {
            data.Add(golden);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compute_NetworkXGolden_ModularityWithin001(LouvainGolden golden)
    {
        var louvain = Run(golden);

        Tolerance.AssertClose(golden.Modularity, louvain.Modularity, absTol: 0.01);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compute_NetworkXGolden_SamePartitionAndLevels(LouvainGolden golden)
    {
        // Same seed, same visiting order (CPython Mersenne Twister), same floating gains: the same partition.
        var louvain = Run(golden);

        Assert.Equal(Canonical(golden.Communities), louvain.Communities);
        Assert.Equal(golden.Levels, louvain.Levels);
        Tolerance.AssertClose(golden.Modularity, louvain.Modularity, absTol: 1e-12);
    }

    [Theory]
    [MemberData(nameof(PlantedCases))]
    public void Compute_PlantedPartition_RecoveredExactly(LouvainGolden golden)
    {
        var louvain = Run(golden);

        Assert.Equal(Canonical(golden.Planted!), louvain.Communities);
    }

    [Fact]
    public void Compute_SameSeedTwice_Identical()
    {
        var golden = Goldens.Load<LouvainGolden>("louvain").First(g => g.Name.StartsWith("random", StringComparison.Ordinal));

        var first = Run(golden);
        var second = Run(golden);

        Assert.Equal(first.Communities, second.Communities);
        Assert.Equal(first.Modularity, second.Modularity);
    }

    [Fact]
    public void Communities_BeforeCompute_Throws()
    {
        var louvain = new LouvainCommunities(new WeightedDigraphBuilder(2).Build());

        Assert.Throws<InvalidOperationException>(() => louvain.Communities);
    }

    private static LouvainCommunities Run(LouvainGolden golden)
    {
        var louvain = new LouvainCommunities(Goldens.BuildGraph(golden.N, golden.Edges), golden.Resolution,
            seed: golden.Seed, directed: golden.Directed);
        louvain.Compute();
        return louvain;
    }

    /// <summary>Labels renumbered 0..k-1 in order of first appearance (the order LouvainCommunities uses).</summary>
    private static int[] Canonical(int[] labels)
    {
        var map = new Dictionary<int, int>();
        return labels.Select(l => map.TryGetValue(l, out int c) ? c : map[l] = map.Count).ToArray();
    }
}
