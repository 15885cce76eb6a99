namespace ModelAudit.Nif.Tests;

/// <summary>The unit-selection rule: highest variance of the per-sample node value, ties to the lower index.</summary>
public class UnitSelectionTests
{
    /// <summary>
    /// Five units over four samples, variances by hand (population): unit 0 [0,0,0,0] 0; unit 1 [1,-1,1,-1] 1;
    /// unit 2 [2,-2,2,-2] 4; unit 3 [0,0,0,4] mean 1, (1+1+1+9)/4 = 3; unit 4 [-1,1,-1,1] 1 (ties unit 1).
    /// </summary>
    private static NodeLayer HandLayer()
    {
        float[][] columns = [[0, 0, 0, 0], [1, -1, 1, -1], [2, -2, 2, -2], [0, 0, 0, 4], [-1, 1, -1, 1]];
        var layer = new NodeLayer("hand", valueId: 0, units: 5, samples: 4);
        for (int u = 0; u < 5; u++) columns[u].CopyTo(layer.Columns[u], 0);
        return layer;
    }

    [Theory]
    [InlineData(1, new[] { 2 })]
    [InlineData(2, new[] { 2, 3 })]
    [InlineData(3, new[] { 1, 2, 3 })] // unit 1 and unit 4 tie at variance 1: the lower index wins
    [InlineData(4, new[] { 1, 2, 3, 4 })]
    public void HighestVariance_HandComputedLayer_KeepsTheTopUnitsInIndexOrder(int maxUnits, int[] expected)
    {
        Assert.Equal(expected, UnitSelection.HighestVariance(HandLayer(), maxUnits));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(32)]
    public void HighestVariance_ZeroOrAtLeastTheWidth_KeepsEveryUnit(int maxUnits)
    {
        Assert.Equal([0, 1, 2, 3, 4], UnitSelection.HighestVariance(HandLayer(), maxUnits));
    }

    [Fact]
    public void Selected_SubsetOfUnits_KeepsTheOriginalUnitIndicesAndColumns()
    {
        var layer = HandLayer();
        var selected = layer.Selected([1, 3]);
        Assert.Equal([1, 3], selected.UnitIndex);
        Assert.Equal(5, selected.TotalUnits);
        Assert.Same(layer.Columns[3], selected.Columns[1]);
        // A second selection maps through the first.
        Assert.Equal([3], selected.Selected([1]).UnitIndex);
    }
}
