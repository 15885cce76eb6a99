using ModelAudit.Tensors.Kernels;
using ModelAudit.Tensors.Kernels.Elementwise;
using FusedActivation = ModelAudit.Tensors.Operations.FusedActivation;

namespace ModelAudit.Tensors.Tests.Kernels;

/// <summary>
/// The Winograd F(2x2, 3x3) forward convolution against the direct sum in float64. Its transforms add the inputs of
/// a patch before weighting them, so it is not bit-identical to the direct float32 sum; each output's error is bounded
/// by a multiple of float32's unit roundoff times that output's absolute sum (sum of |w x| plus |bias| and |residual|),
/// the bound a reordered float32 sum obeys. Geometries exercise odd output sizes (half-used tiles), asymmetric and
/// wide pads, rows wide enough for the straight vector loads, tile rows split across blocks, a partial last block,
/// output channels past one chunk and not a multiple of 6.
/// </summary>
[Collection(KernelParallelCollection.Name)]
public class Conv2dWinogradTests
{
    /// <summary>
    /// Per output: |y - y64| / (sum |w x| + |b| + |r|). Measured worst 1.4e-7 (2.4 unit roundoffs) on these cases, where
    /// the direct float32 path (shifted rows + GEMM) measures 2.1e-7: the 16 products' sums over channels are shorter
    /// chains than the direct sum over channels and taps. 1e-6 leaves room for other channel counts.
    /// </summary>
    private const double Tolerance = 1e-6;

    public static TheoryData<string> Cases => new(CaseGeometry.Keys);

    private static readonly Dictionary<string, Conv2dGeometry> CaseGeometry = new()
    {
        ["56x56-like: pad 1, rows of 40 (straight loads), 2 samples"] = new(2, 16, 40, 40, 16, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1),
        ["odd output 11x11, 10 samples (tile rows across blocks, partial block)"] = new(10, 24, 11, 11, 30, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1),
        ["no pad, odd output 13x15"] = new(5, 16, 15, 17, 16, 3, 3),
        ["asymmetric pads 2/0/1/3"] = new(2, 17, 19, 23, 19, 3, 3, PadTop: 2, PadLeft: 0, PadBottom: 1, PadRight: 3),
        ["100 output channels (two chunks), 70 input"] = new(6, 70, 12, 12, 100, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1),
        ["7x7, one sample (16 tiles: the 16-column kernel)"] = new(1, 20, 7, 7, 22, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1),
        ["8x8 output, no pad, 2 samples (32 tiles: the 32-column kernel)"] = new(2, 18, 10, 10, 17, 3, 3),
        ["wide rows 75 (straight loads and staged edges)"] = new(2, 16, 9, 75, 20, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_VersusDirectFloat64_WithinRoundoffBound(string name)
    {
        Conv2dGeometry g = CaseGeometry[name];
        Assert.True(Conv2dWinograd.Applies(g) || !System.Runtime.Intrinsics.X86.Avx512F.IsSupported, "the case must take the Winograd path");
        if (!Conv2dWinograd.Applies(g)) return;
        int seed = name.Length;
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), seed), w = KernelAssert.Random((int)Conv2d.WeightLength(g), seed + 1);
        float[] bias = KernelAssert.Random(g.OutChannels, seed + 2), residual = KernelAssert.Random((int)Conv2d.OutputLength(g), seed + 3, -4, 4);
        foreach ((bool withBias, bool withResidual, bool relu) in new[] { (false, false, false), (true, false, true), (true, true, true), (false, true, false) })
        {
            var (expected, magnitude) = Direct(g, x, w, withBias ? bias : null, withResidual ? residual : null, relu);
            float[] actual = Run(g, x, w, withBias ? bias : null, withResidual ? residual : null, relu);
            double worst = 0;
            for (int i = 0; i < actual.Length; i++) worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]) / magnitude[i]);
            Assert.True(worst <= Tolerance, $"{name}: worst error {worst:E2} of the output's absolute sum");
        }
    }

    [Fact]
    public void Forward_OneVersusTwoThreads_BitIdentical()
    {
        Conv2dGeometry g = CaseGeometry["odd output 11x11, 10 samples (tile rows across blocks, partial block)"] with { Batch = 20 };
        if (!Conv2dWinograd.Applies(g)) return;
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), 31), w = KernelAssert.Random((int)Conv2d.WeightLength(g), 32);
        float[] bias = KernelAssert.Random(g.OutChannels, 33);
        float[] one = KernelAssert.WithThreads(1, () => Run(g, x, w, bias, null, relu: true));
        float[] two = KernelAssert.WithThreads(2, () => Run(g, x, w, bias, null, relu: true));
        Assert.Equal(one.Select(BitConverter.SingleToInt32Bits), two.Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>The input gradient through the turned kernel's transform, against the transposed direct sum in float64.</summary>
    [Theory]
    [InlineData("56x56-like: pad 1, rows of 40 (straight loads), 2 samples")]
    [InlineData("no pad, odd output 13x15")]
    [InlineData("100 output channels (two chunks), 70 input")]
    [InlineData("7x7, one sample (16 tiles: the 16-column kernel)")]
    public void BackwardData_VersusDirectFloat64_WithinRoundoffBound(string name)
    {
        Conv2dGeometry g = CaseGeometry[name];
        Assert.True(Conv2dDataGradient.Applies(g) && (Conv2dWinograd.Applies(Conv2dDataGradient.Transposed(g)) || !System.Runtime.Intrinsics.X86.Avx512F.IsSupported));
        float[] dy = KernelAssert.Random((int)Conv2d.OutputLength(g), 61), w = KernelAssert.Random((int)Conv2d.WeightLength(g), 62);
        var dx = new float[Conv2d.InputLength(g)];
        Conv2d.BackwardData(g, dy, w, dx);
        var expected = new double[dx.Length];
        var magnitude = new double[dx.Length];
        int outH = g.OutHeight, outW = g.OutWidth;
        for (int n = 0; n < g.Batch; n++)
        for (int o = 0; o < g.OutChannels; o++)
        for (int oh = 0; oh < outH; oh++)
        for (int ow = 0; ow < outW; ow++)
        for (int c = 0; c < g.InChannels; c++)
        for (int kh = 0; kh < 3; kh++)
        for (int kw = 0; kw < 3; kw++)
        {
            int ih = oh - g.PadTop + kh, iw = ow - g.PadLeft + kw;
            if (ih < 0 || ih >= g.InHeight || iw < 0 || iw >= g.InWidth) continue;
            int xi = ((n * g.InChannels + c) * g.InHeight + ih) * g.InWidth + iw;
            double product = (double)w[((o * g.InChannels + c) * 3 + kh) * 3 + kw] * dy[((n * g.OutChannels + o) * outH + oh) * outW + ow];
            expected[xi] += product;
            magnitude[xi] += Math.Abs(product);
        }
        for (int i = 0; i < dx.Length; i++)
            Assert.True(Math.Abs(dx[i] - expected[i]) <= Tolerance * Math.Max(magnitude[i], double.Epsilon), $"{name}: dx[{i}] = {dx[i]} vs {expected[i]}");
    }

    /// <summary>Each sample alone gives the bits it gets in the batch (blocks then hold one sample's tiles, partly empty).</summary>
    [Fact]
    public void Forward_SampleAloneVersusInBatch_BitIdentical()
    {
        Conv2dGeometry batch = CaseGeometry["odd output 11x11, 10 samples (tile rows across blocks, partial block)"];
        Conv2dGeometry single = batch with { Batch = 1 };
        Assert.Equal(Conv2dWinograd.Applies(batch), Conv2dWinograd.Applies(single));
        if (!Conv2dWinograd.Applies(batch)) return;
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(batch), 51), w = KernelAssert.Random((int)Conv2d.WeightLength(batch), 52);
        float[] bias = KernelAssert.Random(batch.OutChannels, 53);
        float[] all = Run(batch, x, w, bias, null, relu: false);
        int inSample = (int)Conv2d.InputLength(single), outSample = (int)Conv2d.OutputLength(single);
        for (int n = 0; n < batch.Batch; n++)
        {
            float[] alone = Run(single, x[(n * inSample)..((n + 1) * inSample)], w, bias, null, relu: false);
            Assert.Equal(all[(n * outSample)..((n + 1) * outSample)].Select(BitConverter.SingleToInt32Bits), alone.Select(BitConverter.SingleToInt32Bits));
        }
    }

    /// <summary>A non-finite input reaches exactly the outputs whose 3x3 window holds it; every other output stays within the bound.</summary>
    [Fact]
    public void Forward_NonFiniteInput_OnlyItsWindowsNonFinite()
    {
        Conv2dGeometry g = CaseGeometry["no pad, odd output 13x15"];
        if (!Conv2dWinograd.Applies(g)) return;
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), 41), w = KernelAssert.Random((int)Conv2d.WeightLength(g), 42);
        int plane = g.InHeight * g.InWidth;
        x[(1 * g.InChannels + 3) * plane + 6 * g.InWidth + 9] = float.PositiveInfinity; // sample 1, channel 3, row 6, column 9
        x[(2 * g.InChannels + 0) * plane + 0] = float.NaN;                              // sample 2, channel 0, the corner
        var (expected, magnitude) = Direct(g, x, w, null, null, relu: false);
        float[] actual = Run(g, x, w, null, null, relu: false);
        int nonFinite = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            if (!double.IsFinite(expected[i]))
            {
                Assert.False(float.IsFinite(actual[i]), $"output {i} should be non-finite");
                nonFinite++;
            }
            else
            {
                Assert.True(Math.Abs(actual[i] - expected[i]) <= Tolerance * magnitude[i], $"output {i}: {actual[i]} vs {expected[i]}");
            }
        }
        // The infinity's 3x3 windows in each of the 16 output channels, and the NaN's one window per channel.
        Assert.Equal(16 * (9 + 1), nonFinite);
    }

    [Theory]
    [InlineData(8, 64, 56, 64, 1, 1, true)]   // resnet18's 56x56 stage
    [InlineData(1, 256, 14, 256, 1, 1, true)] // 14x14 maps: 49 tiles per sample, at any batch size
    [InlineData(1, 512, 7, 512, 1, 1, true)]  // 7x7 maps: 16 tiles per sample (the 16-column kernel at batch 1)
    [InlineData(8, 64, 5, 64, 1, 1, false)]   // 5x5 maps: too few tiles, and 9 tiles hold 36 outputs for 25
    [InlineData(8, 3, 56, 64, 1, 1, false)]   // too few input channels
    [InlineData(1, 12000, 14, 12000, 1, 1, false)] // transformed weights past one array's length
    [InlineData(8, 64, 56, 64, 2, 1, false)]  // stride 2
    [InlineData(8, 64, 56, 64, 1, 2, false)]  // dilation 2
    public void Applies_Geometry_Expected(int batch, int inChannels, int size, int outChannels, int stride, int dilation, bool expected)
    {
        var g = new Conv2dGeometry(batch, inChannels, size, size, outChannels, 3, 3, stride, stride, dilation, dilation, dilation, dilation, dilation, dilation);
        Assert.Equal(expected && System.Runtime.Intrinsics.X86.Avx512F.IsSupported, Conv2dWinograd.Applies(g));
    }

    private static unsafe float[] Run(in Conv2dGeometry g, float[] x, float[] w, float[]? bias, float[]? residual, bool relu)
    {
        var y = new float[Conv2d.OutputLength(g)];
        fixed (float* px = x, pw = w, pb = bias, pr = residual, py = y)
            Conv2dWinograd.Forward(g, px, pw, pb, pr, relu ? FusedActivation.Relu : FusedActivation.None, py);
        return y;
    }

    /// <summary>The direct sum in float64, then bias, residual and ReLU; and each output's absolute sum (the error scale).</summary>
    private static (double[] Values, double[] Magnitude) Direct(in Conv2dGeometry g, float[] x, float[] w, float[]? bias, float[]? residual, bool relu)
    {
        var y = new double[Conv2d.OutputLength(g)];
        var magnitude = new double[y.Length];
        int outH = g.OutHeight, outW = g.OutWidth;
        for (int n = 0; n < g.Batch; n++)
        for (int o = 0; o < g.OutChannels; o++)
        for (int oh = 0; oh < outH; oh++)
        for (int ow = 0; ow < outW; ow++)
        {
            long yi = ((long)(n * g.OutChannels + o) * outH + oh) * outW + ow;
            double sum = bias is null ? 0 : bias[o], abs = bias is null ? 0 : Math.Abs(bias[o]);
            for (int c = 0; c < g.InChannels; c++)
            for (int kh = 0; kh < 3; kh++)
            for (int kw = 0; kw < 3; kw++)
            {
                int ih = oh - g.PadTop + kh, iw = ow - g.PadLeft + kw;
                if (ih < 0 || ih >= g.InHeight || iw < 0 || iw >= g.InWidth) continue;
                double product = (double)w[((o * g.InChannels + c) * 3 + kh) * 3 + kw] * x[((n * g.InChannels + c) * g.InHeight + ih) * g.InWidth + iw];
                sum += product;
                abs += Math.Abs(product);
            }
            if (residual is not null)
            {
                sum += residual[yi];
                abs += Math.Abs(residual[yi]);
            }
            y[yi] = relu ? Math.Max(sum, 0) : sum;
            magnitude[yi] = Math.Max(abs, double.Epsilon);
        }
        return (y, magnitude);
    }
}
