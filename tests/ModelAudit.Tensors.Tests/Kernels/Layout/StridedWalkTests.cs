using ModelAudit.Tensors.Kernels.Layout;

namespace ModelAudit.Tensors.Tests.Kernels.Layout;

public class StridedWalkTests
{
    /// <summary>The coalesced walk visits the plain walk's (offset per operand) sequence, in longer rows where the layouts allow.</summary>
    [Theory]
    [InlineData(new[] { 2, 3, 4, 5 }, new[] { 60, 20, 5, 1 }, new[] { 3, 1, 0, 0 }, 20)]    // per-(n, c) broadcast: rows of 20
    [InlineData(new[] { 2, 3, 4, 5 }, new[] { 60, 20, 5, 1 }, new[] { 60, 20, 5, 1 }, 120)] // equal shapes: one row
    [InlineData(new[] { 2, 3, 4, 5 }, new[] { 60, 20, 5, 1 }, new[] { 0, 20, 5, 1 }, 60)]   // broadcast over samples: rows of 60
    [InlineData(new[] { 2, 1, 4, 5 }, new[] { 20, 20, 5, 1 }, new[] { 0, 0, 1, 0 }, 5)]     // the second varies along H only: rows of W
    [InlineData(new[] { 1, 1 }, new[] { 1, 1 }, new[] { 0, 0 }, 1)]                         // one element
    public void Coalesced_VisitsTheSameOffsetsInOrder(int[] extents, int[] first, int[] second, int expectedRow)
    {
        var plain = Offsets(new StridedWalk(extents, [first, second], [0, 0]));
        var walk = StridedWalk.Coalesced(extents, [first, second], [0, 0]);
        Assert.Equal(expectedRow, walk.RowLength);
        Assert.Equal(plain, Offsets(walk));
    }

    private static List<(int, int)> Offsets(StridedWalk walk)
    {
        var visited = new List<(int, int)>();
        int sa = walk.InnerStride(0), sb = walk.InnerStride(1);
        for (long r = 0; r < walk.RowCount; r++)
        {
            if (r > 0) walk.Next();
            for (int i = 0; i < walk.RowLength; i++) visited.Add((walk.Offsets[0] + i * sa, walk.Offsets[1] + i * sb));
        }
        return visited;
    }
}
