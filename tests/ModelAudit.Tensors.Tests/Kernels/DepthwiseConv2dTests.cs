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

    /// <summary>
    /// The filter gradient (input planes lowered once and then only their interiors, output-gradient rows read in place
    /// when a whole number of vectors long, taps swept three at a time) against its definition one tap at a time from
    /// freshly lowered and padded planes: each tap's four row sums in the same order, so equal bit for bit. Rows of 56
    /// (in place) and 30 (padded to 32), 3x3, 5x5 (eight sweeps and a lone tap) and 2x2 kernels, stride 2, several
    /// planes per worker, at one, two and three threads.
    /// </summary>
    [Theory]
    [InlineData(56, 3, 1)]
    [InlineData(30, 3, 1)]
    [InlineData(30, 5, 2)]
    [InlineData(19, 2, 1)]
    public unsafe void BackwardFilter_ThreeTapSweeps_BitIdenticalToOneTapAtATime(int width, int kernel, int stride)
    {
        int pad = kernel / 2;
        var g = new Conv2dGeometry(3, 6, 17, width, 6, kernel, kernel, StrideH: stride, StrideW: stride, PadTop: pad, PadLeft: pad, PadBottom: pad, PadRight: pad, Groups: 6);
        Assert.True(Conv2d.IsDepthwise(g));
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), width + kernel), dy = KernelAssert.Random((int)Conv2d.OutputLength(g), 7);
        var plane = new DepthwisePlane(g, DepthwiseConv2d.Lanes);
        int kernelArea = kernel * kernel, inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        var expected = new float[Conv2d.WeightLength(g)];
        var padded = new float[plane.Length];
        var gradient = new float[plane.GradientLength];
        var taps = new int[kernelArea];
        fixed (float* px = x, pdy = dy, pw = expected, pp = padded, pg = gradient)
        fixed (int* pt = taps)
        {
            plane.TapOffsets(pt);
            for (int c = 0; c < g.InChannels; c++)
                for (int n = 0; n < g.Batch; n++)
                {
                    long p = (long)n * g.InChannels + c;
                    plane.Lower(px + p * inPlane, pp);
                    plane.PadGradient(pdy + p * outPlane, pg);
                    for (int t = 0; t < kernelArea; t++) DepthwiseConv2d.FilterTap(plane, pp + pt[t], pg, pw + c * kernelArea + t);
                }
        }
        foreach (int threads in new[] { 1, 2, 3 })
        {
            float[] dw = KernelAssert.WithThreads(threads, () =>
            {
                var result = KernelAssert.Random(expected.Length, 9); // garbage: must be overwritten
                Conv2d.BackwardFilter(g, x, dy, result, []);
                return result;
            });
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), dw.Select(BitConverter.SingleToInt32Bits));
        }
    }

    /// <summary>
    /// Small maps (mobilenet's 7x7 and 14x14, 4 to 9 rows around the all-rows path for 5 to 8, heights around the
    /// 512-bit path's blocks of seven or eight rows) against a scalar chain of fused
    /// multiply-adds per output from the bias over the taps in (kh, kw) order, zeros for the padding: the kernel's own
    /// definition, so equal bit for bit, for strides 1 and 2 and at one and two threads.
    /// </summary>
    [Theory]
    [InlineData(7, 7, 1)]
    [InlineData(14, 14, 2)]
    [InlineData(4, 6, 1)]
    [InlineData(5, 3, 1)]
    [InlineData(8, 5, 1)]
    [InlineData(9, 7, 1)]
    [InlineData(16, 12, 2)]
    [InlineData(14, 14, 1)] // 512-bit vectors: blocks of seven rows
    [InlineData(21, 13, 1)]
    [InlineData(12, 14, 1)] // blocks of eight
    [InlineData(28, 14, 2)]
    public void Forward_SmallMaps_BitIdenticalToScalarChain(int height, int width, int stride)
    {
        var g = new Conv2dGeometry(2, 20, height, width, 20, 5, 5, StrideH: stride, StrideW: stride, PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2, Groups: 20);
        Assert.True(Conv2d.IsDepthwise(g));
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), height + width), w = KernelAssert.Random((int)Conv2d.WeightLength(g), 2);
        float[] bias = KernelAssert.Random(g.OutChannels, 3);
        var expected = new float[Conv2d.OutputLength(g)];
        for (int n = 0; n < g.Batch; n++)
            for (int c = 0; c < g.InChannels; c++)
                for (int oh = 0; oh < g.OutHeight; oh++)
                    for (int ow = 0; ow < g.OutWidth; ow++)
                    {
                        float sum = bias[c];
                        for (int kh = 0; kh < 5; kh++)
                            for (int kw = 0; kw < 5; kw++)
                            {
                                int ih = oh * stride - 2 + kh, iw = ow * stride - 2 + kw;
                                float v = (uint)ih < (uint)height && (uint)iw < (uint)width ? x[((n * g.InChannels + c) * height + ih) * width + iw] : 0f;
                                sum = MathF.FusedMultiplyAdd(v, w[c * 25 + kh * 5 + kw], sum);
                            }
                        expected[((n * g.OutChannels + c) * g.OutHeight + oh) * g.OutWidth + ow] = sum;
                    }
        foreach (int threads in new[] { 1, 2 })
        {
            float[] y = KernelAssert.WithThreads(threads, () =>
            {
                var output = new float[expected.Length];
                Conv2d.Forward(g, x, w, bias, output);
                return output;
            });
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), y.Select(BitConverter.SingleToInt32Bits));
        }
    }
}

/// <summary>Tests that change <see cref="KernelParallel.MaxDegree"/> run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelParallelCollection
{
    public const string Name = "KernelParallel.MaxDegree";
}
