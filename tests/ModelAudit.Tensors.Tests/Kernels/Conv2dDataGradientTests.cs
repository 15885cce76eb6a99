using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors.Tests.Kernels;

/// <summary>
/// The input gradient as a forward convolution with the turned kernel (its values against float64 loops are in
/// <see cref="Conv2dTests"/>, whose stride-1 depthwise, 4x4-map and shifted-rows cases take it): which geometries take it, the
/// turned kernel itself, against the column path, and at one and two threads.
/// </summary>
[Collection(KernelParallelCollection.Name)]
public class Conv2dDataGradientTests
{
    private static Conv2dGeometry Square(int batch, int channels, int map, int kernel, int pad, int stride = 1, int groups = 1)
        => new(batch, channels, map, map, channels, kernel, kernel, stride, stride, pad, pad, pad, pad, Groups: groups);

    public static TheoryData<string, bool> ApplyCases => new()
    {
        { "resnet 2x2 b256", true },
        { "resnet 4x4 b256", true },
        { "resnet 8x8 b256 (shifted rows)", true },
        { "resnet 7x7 b8 (shifted rows)", true },
        { "5x5 kernel on 6x6, batch 8 (im2col forward, 36 positions)", false },
        { "resnet 56x56 b8 (shifted rows)", true },
        { "resnet 16x16 b256 (shifted rows)", true },
        { "4x4 batch 1", false },
        { "4x4 stride 2", false },
        { "1x1", false },
        { "depthwise 56x56", true },
        { "depthwise stride 2", false },
        { "pad as large as the kernel", false },
    };

    private static readonly Dictionary<string, Conv2dGeometry> ApplyGeometry = new()
    {
        ["resnet 2x2 b256"] = Square(256, 512, 2, 3, 1),
        ["resnet 4x4 b256"] = Square(256, 256, 4, 3, 1),
        ["resnet 8x8 b256 (shifted rows)"] = Square(256, 128, 8, 3, 1),
        ["resnet 7x7 b8 (shifted rows)"] = Square(8, 512, 7, 3, 1),
        ["5x5 kernel on 6x6, batch 8 (im2col forward, 36 positions)"] = Square(8, 16, 6, 5, 2),
        ["resnet 56x56 b8 (shifted rows)"] = Square(8, 64, 56, 3, 1),
        ["resnet 16x16 b256 (shifted rows)"] = Square(256, 64, 16, 3, 1),
        ["4x4 batch 1"] = Square(1, 16, 4, 3, 1),
        ["4x4 stride 2"] = Square(8, 16, 8, 3, 1, stride: 2),
        ["1x1"] = Square(8, 16, 4, 1, 0),
        ["depthwise 56x56"] = Square(8, 64, 56, 3, 1, groups: 64),
        ["depthwise stride 2"] = Square(8, 64, 56, 3, 1, stride: 2, groups: 64),
        ["pad as large as the kernel"] = Square(8, 16, 2, 2, 2),
    };

    [Theory]
    [MemberData(nameof(ApplyCases))]
    public void Applies_Geometry_PicksMeasuredWinners(string name, bool expected)
        => Assert.Equal(expected, Conv2dDataGradient.Applies(ApplyGeometry[name]));

    [Fact]
    public void FlipKernel_TurnedTwice_ReturnsWeightsBitwise()
    {
        // Turning the kernel of the turned geometry swaps the channels back and undoes the 180-degree turn: an exact identity.
        var g = new Conv2dGeometry(2, 6, 5, 5, 4, 3, 2, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 0, Groups: 2);
        float[] w = KernelAssert.Random((int)Conv2d.WeightLength(g), 1);
        var turned = new float[w.Length];
        var back = new float[w.Length];
        Conv2dDataGradient.FlipKernel(g, w, turned);
        Conv2dDataGradient.FlipKernel(Conv2dDataGradient.Transposed(g), turned, back);
        Assert.Equal(w, back);
        // One element by hand: group 1, output channel 1 (o = 3), input channel 2 (c = 5), tap (0, 1) -> turned tap (2, 0).
        int groupIn = 3, groupOut = 2;
        float original = w[((3 * groupIn + 2) * 3 + 0) * 2 + 1];
        float moved = turned[((1 * groupIn + 2) * groupOut + 1) * 6 + (2 * 2 + 0)];
        Assert.Equal(original, moved);
    }

    [Fact]
    public void Transposed_Geometry_MapsOutputBackToInputShape()
    {
        var g = new Conv2dGeometry(3, 4, 3, 4, 6, 3, 2, PadTop: 2, PadLeft: 0, PadBottom: 1, PadRight: 1, Groups: 2);
        var t = Conv2dDataGradient.Transposed(g);
        Assert.Equal((g.OutChannels, g.OutHeight, g.OutWidth), (t.InChannels, t.InHeight, t.InWidth));
        Assert.Equal((g.InChannels, g.InHeight, g.InWidth), (t.OutChannels, t.OutHeight, t.OutWidth));
    }

    public static TheoryData<string> DenseCases => new(DenseGeometry.Keys);

    private static readonly Dictionary<string, Conv2dGeometry> DenseGeometry = new()
    {
        ["resnet-like 2x2, 64 channels, batch 40"] = Square(40, 64, 2, 3, 1),
        ["4x4, 32 channels, batch 17"] = Square(17, 32, 4, 3, 1),
        ["3x4 groups 2 asymmetric pads"] = new(9, 8, 3, 4, 12, 3, 2, PadTop: 2, PadLeft: 0, PadBottom: 1, PadRight: 1, Groups: 2),
        ["20x20 (turned form on shifted rows), batch 2"] = Square(2, 16, 20, 3, 1),
        ["18x19 groups 2 asymmetric pads (shifted rows)"] = new(3, 8, 18, 19, 12, 3, 3, PadTop: 2, PadLeft: 1, PadBottom: 0, PadRight: 2, Groups: 2),
    };

    [Theory]
    [MemberData(nameof(DenseCases))]
    public void BackwardData_TurnedKernel_MatchesColumnPath(string name)
    {
        Conv2dGeometry g = DenseGeometry[name];
        Assert.True(Conv2dDataGradient.Applies(g));
        float[] w = KernelAssert.Random((int)Conv2d.WeightLength(g), 2), dy = KernelAssert.Random((int)Conv2d.OutputLength(g), 3);
        var columns = new float[Conv2d.InputLength(g)];
        var turned = KernelAssert.Random(columns.Length, 4); // garbage: must be overwritten
        Conv2d.BackwardDataByColumns(g, dy, w, columns);
        Conv2d.BackwardData(g, dy, w, turned);
        // The same terms summed in another order (taps inside channels here, channels inside taps there): float
        // rounding of sums of up to 576 unit-scale terms, far below 1e-5 of the largest value.
        KernelAssert.Close(columns, turned, 1e-5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BackwardData_OneVersusTwoThreads_BitIdentical(bool depthwise)
    {
        Conv2dGeometry g = depthwise ? Square(4, 32, 30, 3, 1, groups: 32) : Square(48, 64, 4, 3, 1);
        Assert.True(Conv2dDataGradient.Applies(g));
        float[] w = KernelAssert.Random((int)Conv2d.WeightLength(g), 5), dy = KernelAssert.Random((int)Conv2d.OutputLength(g), 6);

        float[] Run(int threads)
        {
            int before = KernelParallel.MaxDegree;
            KernelParallel.MaxDegree = threads;
            try
            {
                var dx = new float[Conv2d.InputLength(g)];
                Conv2d.BackwardData(g, dy, w, dx);
                return dx;
            }
            finally
            {
                KernelParallel.MaxDegree = before;
            }
        }

        Assert.Equal(Run(1), Run(2));
    }
}
