using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors.Tests.Kernels;

public class Conv2dTests
{
    private const double RelTol = 1e-4;

    public static TheoryData<string> Cases => new(CaseGeometry.Keys);

    private static readonly Dictionary<string, Conv2dGeometry> CaseGeometry = new()
    {
        ["3x3 pad 1"] = new(2, 3, 9, 8, 5, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1),
        ["stride 2"] = new(2, 4, 11, 10, 6, 3, 3, StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1),
        ["asymmetric pads"] = new(1, 3, 7, 9, 4, 3, 2, PadTop: 2, PadLeft: 0, PadBottom: 1, PadRight: 3),
        ["dilation 2"] = new(2, 3, 12, 11, 4, 3, 3, PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2, DilationH: 2, DilationW: 2),
        ["groups 2"] = new(2, 6, 8, 8, 4, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 2),
        ["depthwise"] = new(2, 5, 9, 10, 5, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 5),
        ["depthwise stride 2 asymmetric"] = new(2, 4, 9, 10, 4, 5, 3, StrideH: 2, StrideW: 2, PadTop: 2, PadLeft: 0, PadBottom: 1, PadRight: 2, DilationW: 2, Groups: 4),
        ["depthwise 5x5 on 7x7 (row shorter than a vector)"] = new(2, 6, 7, 7, 6, 5, 5, PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2, Groups: 6),
        ["depthwise stride 2 wide rows"] = new(2, 3, 23, 37, 3, 3, 3, StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 3),
        ["depthwise stride 3 dilation 2 unpadded"] = new(1, 2, 17, 26, 2, 3, 3, StrideH: 3, StrideW: 3, DilationH: 2, DilationW: 2, Groups: 2),
        ["depthwise 40 columns"] = new(2, 4, 12, 40, 4, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 4),
        // Four-row blocks, the last overlapping the one before (15 rows), and the vectorised even-column gather of stride 2.
        ["depthwise 5x5 stride 2, 15 rows of 21"] = new(2, 3, 30, 41, 3, 5, 5, StrideH: 2, StrideW: 2, PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2, Groups: 3),
        // 512-bit vectors (with AVX-512): four-row blocks of two vectors, eight-, four- and one-row blocks of one vector.
        ["depthwise 3x3, 11 rows of 30"] = new(2, 3, 11, 30, 3, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 3),
        ["depthwise 5x5, 13 rows of 14"] = new(2, 3, 13, 14, 3, 5, 5, PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2, Groups: 3),
        ["depthwise 3x3, 5 rows of 15"] = new(1, 2, 5, 15, 2, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 2),
        ["depthwise 3x3, 3 rows of 30"] = new(1, 2, 3, 30, 2, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 2),
        ["depthwise stride 2 pad right past input"] = new(1, 2, 8, 8, 2, 3, 3, StrideH: 2, StrideW: 2, PadTop: 0, PadLeft: 0, PadBottom: 3, PadRight: 3, Groups: 2),
        ["1x1"] = new(2, 7, 6, 5, 9, 1, 1),
        ["1x1 stride 2"] = new(2, 7, 6, 5, 9, 1, 1, StrideH: 2, StrideW: 2),
        // Squeeze-excitation: one GEMM, x w^T, on the tensors as stored.
        ["1x1 on 1x1 maps"] = new(3, 12, 1, 1, 10, 1, 1),
        ["7x7 stride 2 pad 3"] = new(2, 3, 20, 18, 8, 7, 7, StrideH: 2, StrideW: 2, PadTop: 3, PadLeft: 3, PadBottom: 3, PadRight: 3),
        ["64 to 64 3x3"] = new(1, 64, 14, 14, 64, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1),
        // Batched 4x4 and smaller maps: the input gradient runs as a forward convolution with the turned kernel.
        ["4x4 map 3x3 pad 1 batch 3"] = new(3, 6, 4, 4, 5, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1),
        ["4x4 map groups 2 asymmetric pads batch 3"] = new(3, 4, 3, 4, 6, 3, 2, PadTop: 2, PadLeft: 0, PadBottom: 1, PadRight: 1, Groups: 2),
        // Maps of fewer than 16 positions, batch > 1: the weight gradient runs one GEMM per block of samples.
        ["3x3 map stride 2 batch 4"] = new(4, 5, 6, 5, 7, 3, 3, StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1),
        ["2x2 map groups 2 batch 5"] = new(5, 6, 2, 2, 4, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 2),
    };

    private static (float[] X, float[] W, float[] Bias, float[] Dy) Inputs(in Conv2dGeometry g)
    {
        int seed = g.InChannels * 1000 + g.OutChannels * 10 + g.KernelHeight;
        return (KernelAssert.Random((int)Conv2d.InputLength(g), seed),
            KernelAssert.Random((int)Conv2d.WeightLength(g), seed + 1),
            KernelAssert.Random(g.OutChannels, seed + 2),
            KernelAssert.Random((int)Conv2d.OutputLength(g), seed + 3));
    }

    /// <summary>
    /// Visits every (output, weight, input) triple of the direct convolution loop in double:
    /// y[n, o, oh, ow] += w[o, ci, kh, kw] * x[n, g * Cg + ci, ih, iw].
    /// </summary>
    private static void Direct(in Conv2dGeometry g, Action<long, long, long> visit)
    {
        int cg = g.GroupInChannels, og = g.GroupOutChannels;
        for (int n = 0; n < g.Batch; n++)
        for (int o = 0; o < g.OutChannels; o++)
        for (int oh = 0; oh < g.OutHeight; oh++)
        for (int ow = 0; ow < g.OutWidth; ow++)
        for (int ci = 0; ci < cg; ci++)
        for (int kh = 0; kh < g.KernelHeight; kh++)
        for (int kw = 0; kw < g.KernelWidth; kw++)
        {
            int ih = oh * g.StrideH - g.PadTop + kh * g.DilationH;
            int iw = ow * g.StrideW - g.PadLeft + kw * g.DilationW;
            if (ih < 0 || ih >= g.InHeight || iw < 0 || iw >= g.InWidth) continue;
            int c = o / og * cg + ci;
            long yi = ((long)(n * g.OutChannels + o) * g.OutHeight + oh) * g.OutWidth + ow;
            long wi = ((long)(o * cg + ci) * g.KernelHeight + kh) * g.KernelWidth + kw;
            long xi = ((long)(n * g.InChannels + c) * g.InHeight + ih) * g.InWidth + iw;
            visit(yi, wi, xi);
        }
    }

    private static double Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (double)a[i] * b[i];
        return sum;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_Geometry_MatchesDirectDoubleLoop(string name)
    {
        Conv2dGeometry g = CaseGeometry[name];
        (float[] x, float[] w, float[] bias, _) = Inputs(g);
        var expected = new double[Conv2d.OutputLength(g)];
        for (int i = 0; i < expected.Length; i++) expected[i] = bias[i / (g.OutHeight * g.OutWidth) % g.OutChannels];
        Direct(g, (yi, wi, xi) => expected[yi] += (double)w[wi] * x[xi]);
        var y = new float[expected.Length];
        Conv2d.Forward(g, x, w, bias, y);
        KernelAssert.Close(expected, y, RelTol);

        var noBias = new double[expected.Length];
        Direct(g, (yi, wi, xi) => noBias[yi] += (double)w[wi] * x[xi]);
        Conv2d.Forward(g, x, w, [], y);
        KernelAssert.Close(noBias, y, RelTol);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardData_Geometry_MatchesDirectDoubleScatter(string name)
    {
        Conv2dGeometry g = CaseGeometry[name];
        (_, float[] w, _, float[] dy) = Inputs(g);
        var expected = new double[Conv2d.InputLength(g)];
        Direct(g, (yi, wi, xi) => expected[xi] += (double)w[wi] * dy[yi]);
        float[] dx = KernelAssert.Random(expected.Length, 99, 5, 6); // garbage: must be overwritten
        Conv2d.BackwardData(g, dy, w, dx);
        KernelAssert.Close(expected, dx, RelTol);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardData_Geometry_SatisfiesAdjointIdentity(string name)
    {
        // <conv(x), dy> == <x, conv^T(dy)> for the bias-free convolution.
        Conv2dGeometry g = CaseGeometry[name];
        (float[] x, float[] w, _, float[] dy) = Inputs(g);
        var y = new float[Conv2d.OutputLength(g)];
        var dx = new float[Conv2d.InputLength(g)];
        Conv2d.Forward(g, x, w, [], y);
        Conv2d.BackwardData(g, dy, w, dx);
        KernelAssert.Close(Dot(y, dy), Dot(x, dx), RelTol, scale: Math.Sqrt(Dot(y, y) * Dot(dy, dy)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardFilter_Geometry_MatchesDirectDoubleSum(string name)
    {
        Conv2dGeometry g = CaseGeometry[name];
        (float[] x, _, _, float[] dy) = Inputs(g);
        var expectedW = new double[Conv2d.WeightLength(g)];
        Direct(g, (yi, wi, xi) => expectedW[wi] += (double)dy[yi] * x[xi]);
        var expectedBias = new double[g.OutChannels];
        int spatial = g.OutHeight * g.OutWidth;
        for (int i = 0; i < dy.Length; i++) expectedBias[i / spatial % g.OutChannels] += dy[i];
        float[] dw = KernelAssert.Random(expectedW.Length, 98, 5, 6);
        float[] dbias = KernelAssert.Random(g.OutChannels, 97, 5, 6);
        Conv2d.BackwardFilter(g, x, dy, dw, dbias);
        KernelAssert.Close(expectedW, dw, RelTol);
        KernelAssert.Close(expectedBias, dbias, RelTol);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardFilter_Geometry_SatisfiesWeightIdentity(string name)
    {
        // The convolution is linear in w, so <conv(x; w), dy> == <w, dW(x, dy)>.
        Conv2dGeometry g = CaseGeometry[name];
        (float[] x, float[] w, _, float[] dy) = Inputs(g);
        var y = new float[Conv2d.OutputLength(g)];
        var dw = new float[Conv2d.WeightLength(g)];
        Conv2d.Forward(g, x, w, [], y);
        Conv2d.BackwardFilter(g, x, dy, dw, []);
        KernelAssert.Close(Dot(y, dy), Dot(w, dw), RelTol, scale: Math.Sqrt(Dot(y, y) * Dot(dy, dy)));
    }

    [Fact]
    public void ForwardAndBackward_SampleParallelVersusPerSample_BitwiseIdentical()
    {
        // A batch of 4 runs samples in parallel (serial GEMMs); a batch of 1 parallelises inside the GEMM.
        var batch = new Conv2dGeometry(4, 16, 20, 20, 24, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1);
        Conv2dGeometry single = batch with { Batch = 1 };
        (float[] x, float[] w, float[] bias, float[] dy) = Inputs(batch);
        var y = new float[Conv2d.OutputLength(batch)];
        var dx = new float[Conv2d.InputLength(batch)];
        Conv2d.Forward(batch, x, w, bias, y);
        Conv2d.BackwardData(batch, dy, w, dx);
        int inSample = (int)Conv2d.InputLength(single), outSample = (int)Conv2d.OutputLength(single);
        for (int n = 0; n < batch.Batch; n++)
        {
            var ySample = new float[outSample];
            var dxSample = new float[inSample];
            Conv2d.Forward(single, x.AsSpan(n * inSample, inSample), w, bias, ySample);
            Conv2d.BackwardData(single, dy.AsSpan(n * outSample, outSample), w, dxSample);
            Assert.Equal(y.AsSpan(n * outSample, outSample).ToArray(), ySample);
            Assert.Equal(dx.AsSpan(n * inSample, inSample).ToArray(), dxSample);
        }
    }

    [Fact]
    public void Forward_ShortWeights_ThrowsNamingArgument()
    {
        var g = new Conv2dGeometry(1, 2, 4, 4, 3, 3, 3);
        var error = Assert.Throws<ArgumentException>(() => Conv2d.Forward(g, new float[32], new float[53], [], new float[12]));
        Assert.Equal("w", error.ParamName);
    }
}
