using ModelAudit.Analysis.Information;

namespace ModelAudit.Analysis.Tests.Information;

public class LayerGroupsTests
{
    [Fact]
    public void Compute_ThreeClearClusters_SplitsBetweenThem()
    {
        var points = new List<(double, double)> { (0, 0), (0.1, 0), (0, 0.1), (5, 5), (5.1, 5), (9, 1), (9.1, 1), (9, 1.1) };
        var groups = new LayerGroups();
        groups.Compute(points);
        Assert.Equal([0, 0, 0, 1, 1, 2, 2, 2], groups.Assignment);
        Assert.Equal(["early", "intermediate", "deep"], groups.Groups.Select(g => g.Name));
    }

    [Theory]
    [InlineData(7, 1)]
    [InlineData(9, 2)]
    [InlineData(12, 3)]
    public void Compute_RandomTrajectory_CostEqualsBruteForceMinimum(int n, int seed)
    {
        var random = new Random(seed);
        var points = Enumerable.Range(0, n).Select(_ => (random.NextDouble(), random.NextDouble())).ToList();
        var groups = new LayerGroups();
        groups.Compute(points);

        double best = double.PositiveInfinity;
        for (int a = 1; a < n - 1; a++)
            for (int b = a + 1; b < n; b++)
                best = Math.Min(best, Cost(points, 0, a) + Cost(points, a, b) + Cost(points, b, n));
        double found = groups.Groups.Sum(g => Cost(points, g.First, g.First + g.Count));
        Assert.Equal(best, found, 12);
    }

    [Fact]
    public void Compute_FewerLayersThanGroups_OneGroupPerLayer()
    {
        var groups = new LayerGroups();
        groups.Compute([(0, 0), (1, 1)]);
        Assert.Equal(["early", "deep"], groups.Groups.Select(g => g.Name));
    }

    private static double Cost(List<(double X, double Y)> p, int from, int to)
    {
        var part = p.Skip(from).Take(to - from).ToList();
        double mx = part.Average(q => q.X), my = part.Average(q => q.Y);
        return part.Sum(q => (q.X - mx) * (q.X - mx) + (q.Y - my) * (q.Y - my));
    }
}
