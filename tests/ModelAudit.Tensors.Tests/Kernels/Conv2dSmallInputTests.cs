using ModelAudit.Tensors.Kernels;
using ModelAudit.Tensors.Kernels.Elementwise;
using FusedActivationKind = ModelAudit.Tensors.Operations.FusedActivationKind;
using FusedActivation = ModelAudit.Tensors.Operations.FusedActivation;

namespace ModelAudit.Tensors.Tests.Kernels;

/// <summary>
/// The direct small-input convolution against the shifted-rows GEMM path it replaces for these geometries: the same
/// fused multiply-adds over the depth in (c, kh, kw) order, then bias, residual and activation, so equal bit for bit,
/// on geometries that exercise its band, phase-row and tile rules (strides 1 and 2, asymmetric and wide pads, output
/// channels not a multiple of eight, widths not a multiple of 32, heights not a multiple of the band) and on every fused
/// activation. A float64 loop checks the values themselves. The ONNX parity tests cover the stems of real models.
/// </summary>
[Collection(KernelParallelCollection.Name)]
public class Conv2dSmallInputTests
{
    public static TheoryData<string> Cases => new(CaseGeometry.Keys);

    private static readonly Dictionary<string, Conv2dGeometry> CaseGeometry = new()
    {
        ["mobilenet stem: 3 -> 16, 3x3 stride 2 pad 1, 224x224"] = new(2, 3, 224, 224, 16, 3, 3, StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1),
        ["1 -> 5, 3x3 pad 1, 37 wide (a column tail, a partial channel block)"] = new(3, 1, 23, 37, 5, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1),
        ["1 -> 12, 5x5 stride 2, asymmetric pads, odd sizes"] = new(2, 1, 41, 45, 12, 5, 5, StrideH: 2, StrideW: 2, PadTop: 2, PadLeft: 1, PadBottom: 0, PadRight: 2),
        ["3 -> 9, 3x3 strides 2x1, no pad"] = new(1, 3, 35, 40, 9, 3, 3, StrideH: 2, StrideW: 1),
        ["1 -> 8, 3x3 pads wider than the kernel's reach"] = new(2, 1, 19, 20, 8, 3, 3, PadTop: 3, PadLeft: 4, PadBottom: 2, PadRight: 3),
        ["4 -> 17, 2x4 stride 2, depth 32"] = new(2, 4, 30, 66, 17, 2, 4, StrideH: 2, StrideW: 2, PadLeft: 1, PadRight: 1),
    };

    private static readonly FusedActivation HardSwish = new(FusedActivationKind.GatedHardSigmoid, 1f / 6, 0.5f);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_VersusShiftedRowsGemm_BitIdentical(string name)
    {
        Conv2dGeometry g = CaseGeometry[name];
        Assert.True(Conv2dSmallInput.Applies(g) || !System.Runtime.Intrinsics.X86.Avx512F.IsSupported);
        Assert.True(Conv2dShiftedRows.Applies(g));
        if (!Conv2dSmallInput.Applies(g)) return; // no AVX-512: the kernel is never chosen
        int seed = name.Length;
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), seed), w = KernelAssert.Random((int)Conv2d.WeightLength(g), seed + 1);
        float[] bias = KernelAssert.Random(g.OutChannels, seed + 2), residual = KernelAssert.Random((int)Conv2d.OutputLength(g), seed + 3);
        var activations = new[] { FusedActivation.None, FusedActivation.Relu, new FusedActivation(FusedActivationKind.HardSigmoid, 0.2f, 0.5f), HardSwish };
        foreach ((bool withBias, bool withResidual, FusedActivation activation) in new[]
        {
            (false, false, activations[0]), (true, false, activations[1]), (true, true, activations[2]), (true, false, activations[3]), (false, true, activations[3]),
        })
        {
            float[]? b = withBias ? bias : null, r = withResidual ? residual : null;
            float[] expected = Run(g, x, w, b, r, activation, direct: false);
            float[] actual = Run(g, x, w, b, r, activation, direct: true);
            Assert.Equal(Bits(expected), Bits(actual));
        }
        // The values themselves: float32 sums of 27-32 products of [-1, 1] values, against float64, within 1e-5 absolute.
        double[] exact = Direct(g, x, w, bias);
        float[] plain = Run(g, x, w, bias, null, FusedActivation.None, direct: true);
        for (int i = 0; i < exact.Length; i++) Assert.True(Math.Abs(exact[i] - plain[i]) <= 1e-5, $"output {i}: {plain[i]} vs {exact[i]}");
    }

    [Fact]
    public void Forward_OneVersusTwoThreads_BitIdentical()
    {
        Conv2dGeometry g = CaseGeometry["1 -> 12, 5x5 stride 2, asymmetric pads, odd sizes"] with { Batch = 1 };
        if (!Conv2dSmallInput.Applies(g)) return;
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), 31), w = KernelAssert.Random((int)Conv2d.WeightLength(g), 32);
        float[] bias = KernelAssert.Random(g.OutChannels, 33);
        float[] one = WithThreads(1, () => Run(g, x, w, bias, null, HardSwish, direct: true));
        float[] two = WithThreads(2, () => Run(g, x, w, bias, null, HardSwish, direct: true));
        Assert.Equal(Bits(one), Bits(two));
    }

    [Theory]
    [InlineData(3, 3, 3, 2, 1, true)]    // an image stem
    [InlineData(3, 7, 7, 2, 1, false)]   // resnet's stem: depth 147, the GEMM's
    [InlineData(32, 1, 1, 1, 1, false)]  // pointwise
    [InlineData(3, 3, 3, 3, 1, false)]   // column stride 3
    [InlineData(3, 3, 3, 2, 2, false)]   // dilated
    public void Applies_Geometry_SmallDepthOnly(int channels, int kh, int kw, int stride, int dilation, bool expected)
    {
        var g = new Conv2dGeometry(8, channels, 64, 64, 16, kh, kw, stride, stride, 1, 1, 1, 1, dilation, dilation);
        Assert.Equal(expected && System.Runtime.Intrinsics.X86.Avx512F.IsSupported, Conv2dSmallInput.Applies(g));
    }

    private static unsafe float[] Run(in Conv2dGeometry g, float[] x, float[] w, float[]? bias, float[]? residual, in FusedActivation activation, bool direct)
    {
        var y = new float[Conv2d.OutputLength(g)];
        fixed (float* px = x, pw = w, pb = bias, pr = residual, py = y)
        {
            if (direct) Conv2dSmallInput.Forward(g, px, pw, pb, pr, activation, py);
            else Conv2dShiftedRows.Forward(g, px, pw, pb, pr, activation, py);
        }
        return y;
    }

    /// <summary>y = conv(x, w) + bias in float64 loops.</summary>
    private static double[] Direct(in Conv2dGeometry g, float[] x, float[] w, float[] bias)
    {
        var y = new double[Conv2d.OutputLength(g)];
        for (int n = 0; n < g.Batch; n++)
            for (int o = 0; o < g.OutChannels; o++)
                for (int oh = 0; oh < g.OutHeight; oh++)
                    for (int ow = 0; ow < g.OutWidth; ow++)
                    {
                        double sum = bias[o];
                        for (int c = 0; c < g.InChannels; c++)
                            for (int kh = 0; kh < g.KernelHeight; kh++)
                                for (int kw = 0; kw < g.KernelWidth; kw++)
                                {
                                    int ih = oh * g.StrideH - g.PadTop + kh, iw = ow * g.StrideW - g.PadLeft + kw;
                                    if ((uint)ih >= (uint)g.InHeight || (uint)iw >= (uint)g.InWidth) continue;
                                    sum += (double)x[((n * g.InChannels + c) * g.InHeight + ih) * g.InWidth + iw] * w[((o * g.InChannels + c) * g.KernelHeight + kh) * g.KernelWidth + kw];
                                }
                        y[((n * g.OutChannels + o) * g.OutHeight + oh) * g.OutWidth + ow] = sum;
                    }
        return y;
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];

    private static float[] WithThreads(int threads, Func<float[]> run)
    {
        int before = KernelParallel.MaxDegree;
        KernelParallel.MaxDegree = threads;
        try
        {
            return run();
        }
        finally
        {
            KernelParallel.MaxDegree = before;
        }
    }
}
