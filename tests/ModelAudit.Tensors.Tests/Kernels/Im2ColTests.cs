using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors.Tests.Kernels;

public class Im2ColTests
{
    /// <summary>
    /// A 1x1, stride-1, unpadded convolution is lowered as one row of H*W per sample; the packed panels must be exactly
    /// those of the row-by-row lowering, for maps whose samples straddle panels (14x14: 196 columns per sample).
    /// </summary>
    [Theory]
    [InlineData(14, 14, 3)]
    [InlineData(7, 7, 5)]
    [InlineData(5, 13, 2)]
    public unsafe void LowerPrepacked_PointwiseAsOneRow_SameAsRowByRow(int height, int width, int samples)
    {
        var g = new Conv2dGeometry(samples, 20, height, width, 8, 1, 1);
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), 7);
        int columns = samples * height * width;
        long length = SgemmPack.PrepackedLength(g.InChannels, columns, Sgemm.NR);
        float[] flat = new float[length], rows = new float[length];
        fixed (float* px = x, pf = flat, pr = rows)
        {
            Im2Col.LowerPrepacked(g, g.InChannels, px, pf, parallel: false, samples, g.InChannels * height * width);
            Im2Col.LowerPrepackedRows(g, g.InChannels, px, pr, parallel: false, samples, g.InChannels * height * width);
        }
        Assert.Equal(rows, flat);
        Assert.Contains(flat, v => v != 0);
    }
}
