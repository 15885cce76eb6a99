using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors.Tests.Kernels;

/// <summary>
/// The depthwise kernel against itself at different thread counts (its values against float64 loops are in
/// <see cref="Conv2dTests"/>, which routes depthwise geometries here).
/// </summary>
[Collection(KernelParallelCollection.Name)]
public class DepthwiseConv2dTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AllPasses_OneVersusTwoThreads_BitIdentical(int strideW)
    {
        // Large enough (2 x 24 planes of 30x30, 3x3) that the parallel loop splits it at two threads.
        var g = new Conv2dGeometry(2, 24, 30, 30, 24, 3, 3, StrideH: 1, StrideW: strideW, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 24);
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), 1);
        float[] w = KernelAssert.Random((int)Conv2d.WeightLength(g), 2);
        float[] bias = KernelAssert.Random(g.OutChannels, 3);
        float[] dy = KernelAssert.Random((int)Conv2d.OutputLength(g), 4);
        Assert.True(KernelParallel.ChunkCount(g.Batch * g.InChannels, (long)g.OutHeight * g.OutWidth * 9) > 1 || KernelParallel.MaxDegree == 1);

        (float[] Y, float[] Dx, float[] Dw) Run(int threads)
        {
            int before = KernelParallel.MaxDegree;
            KernelParallel.MaxDegree = threads;
            try
            {
                var y = new float[dy.Length];
                var dx = new float[x.Length];
                var dw = new float[w.Length];
                Conv2d.Forward(g, x, w, bias, y);
                Conv2d.BackwardData(g, dy, w, dx);
                Conv2d.BackwardFilter(g, x, dy, dw, []);
                return (y, dx, dw);
            }
            finally
            {
                KernelParallel.MaxDegree = before;
            }
        }

        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Y, two.Y);
        Assert.Equal(one.Dx, two.Dx);
        Assert.Equal(one.Dw, two.Dw);
    }
}

/// <summary>Tests that change <see cref="KernelParallel.MaxDegree"/> run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelParallelCollection
{
    public const string Name = "KernelParallel.MaxDegree";
}
