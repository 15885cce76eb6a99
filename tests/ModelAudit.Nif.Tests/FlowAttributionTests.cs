namespace ModelAudit.Nif.Tests;

public class FlowAttributionTests
{
    /// <summary>Sum over every path (one node per layer) of the product of its edge flows, by explicit enumeration.</summary>
    private static double PathSum(IReadOnlyList<double[][]> flows, int layer, int node, int target)
    {
        if (layer == flows.Count) return node == target ? 1 : 0;
        double sum = 0;
        for (int next = 0; next < flows[layer][node].Length; next++)
        {
            double w = flows[layer][node][next];
            if (w != 0) sum += w * PathSum(flows, layer + 1, next, target);
        }
        return sum;
    }

    [Fact]
    public void Product_ThreeLayerPairsWithMissingEdges_EqualsExplicitPathEnumeration()
    {
        var random = new Random(5);
        int[] widths = [3, 4, 5, 2];
        var flows = new List<double[][]>();
        for (int l = 0; l + 1 < widths.Length; l++)
        {
            var m = new double[widths[l]][];
            for (int i = 0; i < widths[l]; i++)
            {
                m[i] = new double[widths[l + 1]];
                // About a third of the edges are absent (flow 0).
                for (int k = 0; k < widths[l + 1]; k++) m[i][k] = random.NextDouble() < 0.33 ? 0 : random.NextDouble() * 2;
            }
            flows.Add(m);
        }
        var a = FlowAttribution.Product(flows);
        for (int i = 0; i < widths[0]; i++)
            for (int j = 0; j < widths[^1]; j++)
            {
                double expected = PathSum(flows, 0, i, j);
                Assert.True(Math.Abs(a[i][j] - expected) <= 1e-12 * Math.Max(1, expected), $"A[{i},{j}] {a[i][j]} vs paths {expected} (tol 1e-12)");
            }
    }
}
