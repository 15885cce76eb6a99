using ModelAudit.Tensors.Kernels;
using ModelAudit.Tensors.Kernels.Elementwise;
using FusedActivation = ModelAudit.Tensors.Operations.FusedActivation;

namespace ModelAudit.Tensors.Tests.Kernels;

/// <summary>
/// The shifted-rows forward convolution against the column matrix it replaces (im2col, the bias filled into C, one
/// blocked GEMM, then residual and ReLU): the same K-ordered sums, so equal bit for bit, on geometries that exercise
/// every phase plane rule (strides 1 to 3, dilation, asymmetric pads, pads wider than the kernel's reach, groups,
/// depth past one GEMM block, partial sample blocks) and on non-finite inputs whose garbage columns are dropped.
/// Values against float64 loops and PyTorch are in <see cref="Conv2dTests"/> and the ONNX parity tests, which route here.
/// </summary>
[Collection(KernelParallelCollection.Name)]
public class Conv2dShiftedRowsTests
{
    public static TheoryData<string> Cases => new(CaseGeometry.Keys);

    private static readonly Dictionary<string, Conv2dGeometry> CaseGeometry = new()
    {
        ["3x3 pad 1, 32 channels (K 288: two depth blocks)"] = new(2, 32, 17, 19, 20, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1),
        ["7x7 stride 2 pad 3 (the stem)"] = new(2, 3, 40, 38, 16, 7, 7, StrideH: 2, StrideW: 2, PadTop: 3, PadLeft: 3, PadBottom: 3, PadRight: 3),
        ["3x3 stride 2 odd input"] = new(3, 8, 27, 25, 12, 3, 3, StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1),
        ["3x3 stride 2, 75-wide rows (gathered sixteen at a time)"] = new(2, 4, 20, 75, 8, 3, 3, StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1),
        ["1x1 stride 2 (downsample)"] = new(3, 16, 28, 28, 24, 1, 1, StrideH: 2, StrideW: 2),
        ["3x5 strides 2x3 asymmetric pads"] = new(2, 4, 33, 37, 6, 3, 5, StrideH: 2, StrideW: 3, PadTop: 1, PadLeft: 2, PadBottom: 0, PadRight: 1),
        ["dilation 2, groups 2"] = new(2, 4, 33, 37, 6, 3, 3, PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2, DilationH: 2, DilationW: 2, Groups: 2),
        ["4x4 stride 2, groups 3, right pad 3"] = new(2, 6, 40, 41, 9, 4, 4, StrideH: 2, StrideW: 2, PadTop: 1, PadBottom: 2, PadRight: 3, Groups: 3),
        ["pads wider than the kernel's reach"] = new(1, 3, 11, 12, 9, 3, 3, PadTop: 3, PadLeft: 4, PadBottom: 2, PadRight: 3),
        ["left pad only"] = new(1, 3, 30, 30, 5, 3, 3, PadLeft: 1, PadBottom: 1),
        ["5x5 strides 3x2 dilations 2x3"] = new(1, 3, 30, 30, 5, 5, 5, StrideH: 3, StrideW: 2, PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2, DilationH: 2, DilationW: 3),
        ["7x7 maps, 41 samples (a block of 36 and a partial one)"] = new(41, 8, 7, 7, 10, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1),
        ["dilation 2 stride 2 (a phase plane no tap reads)"] = new(2, 5, 21, 22, 7, 3, 3, StrideH: 2, StrideW: 2, PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2, DilationH: 2, DilationW: 2),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_VersusColumnMatrixAndGemm_BitIdentical(string name)
    {
        Conv2dGeometry g = CaseGeometry[name];
        int seed = name.Length;
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), seed), w = KernelAssert.Random((int)Conv2d.WeightLength(g), seed + 1);
        float[] bias = KernelAssert.Random(g.OutChannels, seed + 2), residual = KernelAssert.Random((int)Conv2d.OutputLength(g), seed + 3);
        foreach ((bool withBias, bool withResidual, bool relu) in new[] { (false, false, false), (true, false, true), (true, true, true), (false, true, false) })
        {
            float[] expected = Reference(g, x, w, withBias ? bias : null, withResidual ? residual : null, relu);
            float[] actual = Run(g, x, w, withBias ? bias : null, withResidual ? residual : null, relu);
            Assert.Equal(Bits(expected), Bits(actual));
        }
    }

    /// <summary>
    /// Infinities and NaNs in the input reach the product's dropped columns too; kept outputs must be exactly the
    /// column-matrix path's (non-finite where the receptive field holds one, untouched elsewhere).
    /// </summary>
    [Fact]
    public void Forward_NonFiniteInput_KeptOutputsBitIdentical()
    {
        Conv2dGeometry g = CaseGeometry["3x3 stride 2 odd input"];
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), 21), w = KernelAssert.Random((int)Conv2d.WeightLength(g), 22);
        int plane = g.InHeight * g.InWidth;
        x[3 * plane + 0] = float.PositiveInfinity;                                 // a corner: sample 0, channel 3
        x[9 * plane + 5 * g.InWidth + g.InWidth - 1] = float.NaN;                  // the right edge: sample 1, channel 1
        x[(int)Conv2d.InputLength(g) - 1] = float.NegativeInfinity;                // the very last element
        float[] expected = Reference(g, x, w, null, null, relu: false);
        float[] actual = Run(g, x, w, null, null, relu: false);
        Assert.Equal(Bits(expected), Bits(actual));
        Assert.Contains(actual, float.IsNaN);
        Assert.True(actual.Count(float.IsFinite) > actual.Length / 2);
    }

    [Fact]
    public void Forward_OneVersusTwoThreads_BitIdentical()
    {
        foreach (Conv2dGeometry g in new[] { CaseGeometry["3x3 pad 1, 32 channels (K 288: two depth blocks)"] with { Batch = 1 }, CaseGeometry["7x7 maps, 41 samples (a block of 36 and a partial one)"] with { Batch = 80 } })
        {
            float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), 31), w = KernelAssert.Random((int)Conv2d.WeightLength(g), 32);
            float[] bias = KernelAssert.Random(g.OutChannels, 33);
            float[] one = KernelAssert.WithThreads(1, () => Run(g, x, w, bias, null, relu: true));
            float[] two = KernelAssert.WithThreads(2, () => Run(g, x, w, bias, null, relu: true));
            Assert.Equal(Bits(one), Bits(two));
        }
    }

    [Theory]
    [InlineData(56, 56, 3, 1, 1, true)]   // resnet's 56x56 stage: rows of 57 for 56 outputs
    [InlineData(224, 224, 7, 2, 3, true)] // the stem: rows of 115 for 112 outputs
    [InlineData(7, 7, 3, 1, 1, true)]     // rows of 8 for 7 outputs: exactly the 1/8 allowed
    [InlineData(4, 4, 3, 1, 1, false)]    // rows of 5 for 4 outputs: im2col
    [InlineData(14, 14, 1, 2, 0, true)]   // 1x1 stride 2: no extra column at all
    public void Applies_Geometry_WasteAtMostAnEighth(int height, int width, int kernel, int stride, int pad, bool expected)
    {
        var g = new Conv2dGeometry(8, 16, height, width, 16, kernel, kernel, stride, stride, pad, pad, pad, pad);
        Assert.Equal(expected, Conv2dShiftedRows.Applies(g));
    }

    private static unsafe float[] Run(in Conv2dGeometry g, float[] x, float[] w, float[]? bias, float[]? residual, bool relu)
    {
        var y = new float[Conv2d.OutputLength(g)];
        fixed (float* px = x, pw = w, pb = bias, pr = residual, py = y)
            Conv2dShiftedRows.Forward(g, px, pw, pb, pr, relu ? FusedActivation.Relu : FusedActivation.None, py);
        return y;
    }

    /// <summary>Per sample and group: C filled with the bias, C += W * im2col(x) by the blocked GEMM, then residual and ReLU.</summary>
    private static unsafe float[] Reference(in Conv2dGeometry g, float[] x, float[] w, float[]? bias, float[]? residual, bool relu)
    {
        int groupIn = g.GroupInChannels, groupOut = g.GroupOutChannels, kernelSize = groupIn * g.KernelHeight * g.KernelWidth;
        int spatial = g.OutHeight * g.OutWidth, inPlane = g.InHeight * g.InWidth;
        var y = new float[Conv2d.OutputLength(g)];
        var col = new float[kernelSize * spatial];
        var c = new float[groupOut * spatial];
        for (int n = 0; n < g.Batch; n++)
        {
            for (int group = 0; group < g.Groups; group++)
            {
                fixed (float* px = x, pcol = col)
                    Im2Col.Lower(g, groupIn, px + ((long)n * g.InChannels + group * groupIn) * inPlane, pcol, parallel: false);
                for (int o = 0; o < groupOut; o++) c.AsSpan(o * spatial, spatial).Fill(bias is null ? 0f : bias[group * groupOut + o]);
                Assert.False(Sgemm.IsSmall(groupOut, spatial, kernelSize), "the reference must take the blocked path");
                Sgemm.Multiply(false, false, groupOut, spatial, kernelSize, 1f, w.AsSpan(group * groupOut * kernelSize, groupOut * kernelSize), kernelSize,
                    col, spatial, bias is null ? 0f : 1f, c, spatial);
                int offset = (n * g.OutChannels + group * groupOut) * spatial;
                for (int i = 0; i < c.Length; i++)
                    y[offset + i] = ResidualActivation.Scalar(c[i], residual is null ? 0f : residual[offset + i], residual is not null, relu ? FusedActivation.Relu : FusedActivation.None);
            }
        }
        return y;
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}
