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

    /// <summary>
    /// Maps of at most 16 positions are lowered by permutes of each sample's plane; the packed panels must be exactly
    /// those of the row-by-row lowering (NaN-filled destinations, so a place either leaves unwritten fails): 4x4 and 2x2
    /// maps with 3x3 windows, stride 2, dilation, asymmetric padding, a pointwise 4x4 (lowered as one row of 16), samples
    /// filling part of the last panel and several panels, and depths past one block of the GEMM.
    /// </summary>
    [Theory]
    // samples, channels, height, width, kernel, stride, dilation, pad top, left, bottom, right
    [InlineData(5, 3, 4, 4, 3, 1, 1, 1, 1, 1, 1)]
    [InlineData(37, 40, 4, 4, 3, 1, 1, 1, 1, 1, 1)]
    [InlineData(21, 7, 2, 2, 3, 1, 1, 1, 1, 1, 1)]
    [InlineData(9, 5, 4, 4, 3, 2, 1, 1, 1, 1, 1)]
    [InlineData(6, 4, 4, 4, 3, 1, 2, 2, 2, 2, 2)]
    [InlineData(7, 6, 4, 3, 2, 1, 1, 0, 1, 1, 1)]
    [InlineData(11, 30, 4, 4, 1, 1, 1, 0, 0, 0, 0)]
    public unsafe void LowerPrepacked_SmallMapsByPermutes_SameAsRowByRow(int samples, int channels, int height, int width, int kernel, int stride,
        int dilation, int padTop, int padLeft, int padBottom, int padRight)
    {
        var g = new Conv2dGeometry(samples, channels, height, width, 8, kernel, kernel, stride, stride, padTop, padLeft, padBottom, padRight, dilation, dilation);
        Assert.Equal(System.Runtime.Intrinsics.X86.Avx512F.IsSupported, Im2Col.LowersByPermutes(Conv2d.IsPointwise(g) ? g with { InHeight = 1, InWidth = height * width } : g));
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), 8);
        int columns = samples * g.OutHeight * g.OutWidth;
        long length = SgemmPack.PrepackedLength(channels * kernel * kernel, columns, Sgemm.NR);
        float[] permuted = new float[length], rows = new float[length];
        Array.Fill(permuted, float.NaN);
        Array.Fill(rows, float.NaN);
        long sampleStride = (long)channels * height * width;
        fixed (float* px = x, pp = permuted, pr = rows)
        {
            Im2Col.LowerPrepacked(g, channels, px, pp, parallel: true, samples, sampleStride);
            Im2Col.LowerPrepackedRows(g, channels, px, pr, parallel: false, samples, sampleStride);
        }
        Assert.Equal(rows.Select(BitConverter.SingleToInt32Bits), permuted.Select(BitConverter.SingleToInt32Bits));
        Assert.Contains(permuted, v => v != 0);
    }
}
