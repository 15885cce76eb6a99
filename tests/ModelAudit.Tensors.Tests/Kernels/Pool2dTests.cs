using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors.Tests.Kernels;

public class Pool2dTests
{
    private const double RelTol = 1e-6;

    public static TheoryData<int> GoldenCases => new(Enumerable.Range(0, Pool2dGoldens.All.Length));

    /// <summary>Same input as generate_pool2d_goldens.py: small integers, so windows hold ties.</summary>
    private static float[] GoldenInput(in Pool2dGeometry g)
    {
        var x = new float[g.Batch * g.Channels * g.InHeight * g.InWidth];
        for (int i = 0; i < x.Length; i++) x[i] = (int)((long)i * 7919 % 23) - 11;
        return x;
    }

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void Forward_TorchCornerCase_MatchesTorch(int index)
    {
        Pool2dGoldens.Case golden = Pool2dGoldens.All[index];
        Pool2dGeometry g = golden.Geometry;
        float[] x = GoldenInput(g);
        var y = new float[golden.Y.Length];
        Assert.Equal(golden.Y.Length, g.Batch * g.Channels * g.OutHeight * g.OutWidth);
        if (golden.IsMax)
        {
            var argmax = new int[y.Length];
            Pool2d.MaxForward(g, x, y, argmax);
            if (golden.Argmax is not null) Assert.Equal(golden.Argmax, argmax);
            // Without indices (inference) the vectorised path runs: same values.
            var valuesOnly = new float[y.Length];
            Pool2d.MaxForward(g, x, valuesOnly, []);
            KernelAssert.Close(golden.Y, valuesOnly, RelTol);
        }
        else
        {
            Pool2d.AverageForward(g, golden.CountIncludePad, x, y);
        }
        KernelAssert.Close(golden.Y, y, RelTol);
    }

    public static TheoryData<Pool2dGeometry> RandomCases => new()
    {
        new Pool2dGeometry(2, 3, 9, 8, 3, 3, 2, 2, 1, 1, 1, 1, CeilMode: true),
        new Pool2dGeometry(1, 2, 10, 7, 2, 3, 2, 1, 0, 1, 1, 2, CeilMode: true),
        new Pool2dGeometry(2, 2, 8, 8, 2, 2, 2, 2),
        new Pool2dGeometry(1, 3, 11, 9, 3, 2, 3, 2, 1, 0, 2, 1, CeilMode: false),
    };

    public static TheoryData<Pool2dGeometry> DilatedCases => new()
    {
        new Pool2dGeometry(3, 2, 12, 12, 3, 3, 2, 2, 1, 1, 1, 1, DilationH: 2, DilationW: 2, CeilMode: true),
        new Pool2dGeometry(1, 2, 9, 10, 2, 3, 1, 2, 0, 1, 1, 0, DilationH: 3, DilationW: 2, CeilMode: false),
    };

    /// <summary>Visits the in-bounds input positions of output (oh, ow) in window order (kh, then kw).</summary>
    private static IEnumerable<(int Ih, int Iw)> WindowPositions(Pool2dGeometry g, int oh, int ow)
    {
        for (int kh = 0; kh < g.KernelHeight; kh++)
        for (int kw = 0; kw < g.KernelWidth; kw++)
        {
            int ih = oh * g.StrideH - g.PadTop + kh * g.DilationH, iw = ow * g.StrideW - g.PadLeft + kw * g.DilationW;
            if (ih >= 0 && ih < g.InHeight && iw >= 0 && iw < g.InWidth) yield return (ih, iw);
        }
    }

    /// <summary>ONNX divisor: window clipped to the explicitly padded input (include) or to the input (exclude).</summary>
    private static int Divisor(Pool2dGeometry g, bool include, int oh, int ow)
    {
        if (!include) return WindowPositions(g, oh, ow).Count();
        int h0 = oh * g.StrideH - g.PadTop, w0 = ow * g.StrideW - g.PadLeft;
        int h1 = Math.Min(h0 + g.KernelHeight, g.InHeight + g.PadBottom), w1 = Math.Min(w0 + g.KernelWidth, g.InWidth + g.PadRight);
        return (h1 - h0) * (w1 - w0);
    }

    private static IEnumerable<(int Plane, int Oh, int Ow)> Outputs(Pool2dGeometry g)
    {
        for (int plane = 0; plane < g.Batch * g.Channels; plane++)
        for (int oh = 0; oh < g.OutHeight; oh++)
        for (int ow = 0; ow < g.OutWidth; ow++)
            yield return (plane, oh, ow);
    }

    [Theory]
    [MemberData(nameof(RandomCases))]
    [MemberData(nameof(DilatedCases))]
    public void MaxForwardBackward_RandomInput_MatchesNaiveReference(Pool2dGeometry g)
    {
        int inPlane = g.InHeight * g.InWidth, outCount = g.Batch * g.Channels * g.OutHeight * g.OutWidth;
        float[] x = KernelAssert.Random(g.Batch * g.Channels * inPlane, 11);
        float[] dy = KernelAssert.Random(outCount, 12);
        var expectedY = new double[outCount];
        var expectedIndex = new int[outCount];
        var expectedDx = new double[x.Length];
        int o = 0;
        foreach ((int plane, int oh, int ow) in Outputs(g))
        {
            double best = double.NegativeInfinity;
            int bestIndex = -1;
            foreach ((int ih, int iw) in WindowPositions(g, oh, ow))
            {
                int index = plane * inPlane + ih * g.InWidth + iw;
                if (x[index] > best) (best, bestIndex) = (x[index], index);
            }
            expectedY[o] = best;
            expectedIndex[o] = bestIndex;
            expectedDx[bestIndex] += dy[o];
            o++;
        }

        var y = new float[outCount];
        var argmax = new int[outCount];
        Pool2d.MaxForward(g, x, y, argmax);
        KernelAssert.Close(expectedY, y, RelTol);
        Assert.Equal(expectedIndex, argmax);
        float[] dx = KernelAssert.Random(x.Length, 13, 5, 6);
        Pool2d.MaxBackward(g, dy, argmax, dx);
        KernelAssert.Close(expectedDx, dx, RelTol);

        var valuesOnly = new float[outCount];
        Pool2d.MaxForward(g, x, valuesOnly, []);
        Assert.Equal(y, valuesOnly);
    }

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void AverageForwardBackward_RandomInput_MatchesNaiveReference(Pool2dGeometry g)
    {
        int inPlane = g.InHeight * g.InWidth, outCount = g.Batch * g.Channels * g.OutHeight * g.OutWidth;
        float[] x = KernelAssert.Random(g.Batch * g.Channels * inPlane, 21);
        float[] dy = KernelAssert.Random(outCount, 22);
        foreach (bool include in new[] { true, false })
        {
            var expectedY = new double[outCount];
            var expectedDx = new double[x.Length];
            int o = 0;
            foreach ((int plane, int oh, int ow) in Outputs(g))
            {
                int divisor = Divisor(g, include, oh, ow);
                foreach ((int ih, int iw) in WindowPositions(g, oh, ow))
                {
                    int index = plane * inPlane + ih * g.InWidth + iw;
                    expectedY[o] += (double)x[index] / divisor;
                    expectedDx[index] += (double)dy[o] / divisor;
                }
                o++;
            }
            var y = new float[outCount];
            Pool2d.AverageForward(g, include, x, y);
            KernelAssert.Close(expectedY, y, 1e-5);
            float[] dx = KernelAssert.Random(x.Length, 23, 5, 6);
            Pool2d.AverageBackward(g, include, dy, dx);
            KernelAssert.Close(expectedDx, dx, 1e-5);
        }
    }

    [Fact]
    public void Average_Dilation_Throws()
    {
        var g = new Pool2dGeometry(1, 1, 6, 6, 2, 2, DilationH: 2, DilationW: 2);
        Assert.Throws<ArgumentException>(() => Pool2d.AverageForward(g, true, new float[36], new float[16]));
    }

    [Fact]
    public void MaxForward_NaNInWindow_PropagatesLikeTorch()
    {
        // torch.nn.functional.max_pool2d(torch.tensor([[[[1., nan, 3., 2.]]]]), (1, 2), return_indices=True)
        // -> values [[nan, 3.]], indices [[1, 2]]
        var g = new Pool2dGeometry(1, 1, 1, 4, 1, 2, 1, 2);
        var y = new float[2];
        var argmax = new int[2];
        Pool2d.MaxForward(g, [1f, float.NaN, 3f, 2f], y, argmax);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(3f, y[1]);
        Assert.Equal(new[] { 1, 2 }, argmax);
        var valuesOnly = new float[2];
        Pool2d.MaxForward(g, [1f, float.NaN, 3f, 2f], valuesOnly, []);
        Assert.True(float.IsNaN(valuesOnly[0]));
        Assert.Equal(3f, valuesOnly[1]);
    }

    [Theory]
    [MemberData(nameof(RandomCases))]
    [MemberData(nameof(DilatedCases))]
    public void MaxForward_TiesNaNAndInfinities_VectorMatchesScalarReference(Pool2dGeometry g)
    {
        // Small integers (many ties), with NaN, -inf and +inf sprinkled in: values and indices as the window-by-window loop.
        float[] x = GoldenInput(g);
        for (int i = 0; i < x.Length; i += 7) x[i] = (i / 7 % 3) switch { 0 => float.NaN, 1 => float.NegativeInfinity, _ => float.PositiveInfinity };
        AssertMatchesScalarReference(g, x);
    }

    /// <summary>Values and indices of <see cref="Pool2d.MaxForward"/> equal to the window-by-window loop's; returns the indices.</summary>
    private static int[] AssertMatchesScalarReference(in Pool2dGeometry g, float[] x)
    {
        int outCount = g.Batch * g.Channels * g.OutHeight * g.OutWidth;
        var expected = new float[outCount];
        var expectedIndex = new int[outCount];
        Pool2d.MaxForwardScalar(g, x, expected, expectedIndex);
        var y = new float[outCount];
        var argmax = new int[outCount];
        Pool2d.MaxForward(g, x, y, argmax);
        Assert.Equal(expectedIndex, argmax);
        Assert.Equal(expected, y);
        return argmax;
    }

    [Fact]
    public void MaxForward_WideRows_VectorPathsMatchScalarReference()
    {
        // Rows of 56 and 28 outputs (whole vectors and a tail), stride 2, pad 1: resnet's stem pooling.
        var g = new Pool2dGeometry(2, 3, 113, 57, 3, 3, 2, 2, 1, 1, 1, 1);
        float[] x = KernelAssert.Random(g.Batch * g.Channels * g.InHeight * g.InWidth, 31);
        int outCount = g.Batch * g.Channels * g.OutHeight * g.OutWidth;
        var indexed = new float[outCount];
        var valuesOnly = new float[outCount];
        var scalar = new float[outCount];
        var scalarIndex = new int[outCount];
        var index = new int[outCount];
        Pool2d.MaxForward(g, x, indexed, index);
        Pool2d.MaxForward(g, x, valuesOnly, []);
        Pool2d.MaxForwardScalar(g, x, scalar, scalarIndex);
        Assert.Equal(indexed, valuesOnly);
        Assert.Equal(scalar, indexed);
        Assert.Equal(scalarIndex, index);
    }

    [Fact]
    public void MaxForward_NegativeInfinityPlanesInPadding_IndexOfFirstRealInput()
    {
        // Planes of -inf (a NaN in some) behind -inf padding, 3x3 stride 2 pad 1, several planes per worker: a window
        // whose inputs are all -inf takes its first real input, never a padding tap, on every plane after a worker's first
        // too (those are lowered without rewriting the padding).
        var g = new Pool2dGeometry(2, 5, 9, 20, 3, 3, 2, 2, 1, 1, 1, 1);
        var x = new float[g.Batch * g.Channels * g.InHeight * g.InWidth];
        x.AsSpan().Fill(float.NegativeInfinity);
        x[g.InHeight * g.InWidth + 3] = float.NaN;
        x[4 * g.InHeight * g.InWidth + g.InWidth] = 2f;
        int[] argmax = AssertMatchesScalarReference(g, x);
        // Output (0, 0) of plane 0 reads padding first, then input (0, 0).
        Assert.Equal(0, argmax[0]);
        Assert.DoesNotContain(-1, argmax);
    }

    [Fact]
    public void MaxForward_WindowFarWiderThanThePlane_FallsBackToScalarPath()
    {
        // A SAME-padded window of 2^31 - 1 columns over a 3x4 plane (valid ONNX, seen in the fuzz run): the phased
        // layout would overflow its int offsets, so the vector path must not be taken; the result is the window loop's.
        var g = new Pool2dGeometry(1, 2, 3, 4, 1, int.MaxValue, PadLeft: 1, PadRight: int.MaxValue - 2);
        Assert.False(DepthwisePlane.Fits(g, 8));
        float[] x = KernelAssert.Random(g.Batch * g.Channels * g.InHeight * g.InWidth, 5);
        int outCount = g.Batch * g.Channels * g.OutHeight * g.OutWidth;
        var expected = new float[outCount];
        var expectedIndex = new int[outCount];
        Pool2d.MaxForwardScalar(g, x, expected, expectedIndex);
        var y = new float[outCount];
        var argmax = new int[outCount];
        Pool2d.MaxForward(g, x, y, argmax);
        Assert.Equal(expected, y);
        Assert.Equal(expectedIndex, argmax);
        // Each output row's window covers its whole input row: the row maximum.
        for (int row = 0; row < g.Channels * g.InHeight; row++)
            Assert.Equal(x.Skip(row * 4).Take(4).Max(), y[row * g.OutWidth]);
    }

    [Fact]
    public void MaxForwardBackward_WindowEntirelyInPadding_NegativeInfinityAndNoGradient()
    {
        // 1x1 kernel, pad 1 around a single pixel: every window but the centre sees only padding.
        var g = new Pool2dGeometry(1, 1, 1, 1, 1, 1, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1);
        var y = new float[9];
        var argmax = new int[9];
        Pool2d.MaxForward(g, [5f], y, argmax);
        Assert.Equal(5f, y[4]);
        Assert.Equal(0, argmax[4]);
        Assert.Equal(float.NegativeInfinity, y[0]);
        Assert.Equal(-1, argmax[0]);
        var dx = new float[1];
        Pool2d.MaxBackward(g, [1f, 1f, 1f, 1f, 2f, 1f, 1f, 1f, 1f], argmax, dx);
        Assert.Equal(2f, dx[0]);
    }

    [Fact]
    public void MaxBackward_IndexOutsidePlane_Throws()
    {
        var g = new Pool2dGeometry(1, 2, 2, 2, 2, 2, 2, 2);
        var error = Assert.Throws<ArgumentException>(() => Pool2d.MaxBackward(g, [1f, 1f], [0, 0], new float[8]));
        Assert.Equal("argmax", error.ParamName);
    }

    [Fact]
    public void GlobalAverage_RandomInput_MatchesMeanAndAdjoint()
    {
        const int batch = 3, channels = 4, spatial = 49;
        float[] x = KernelAssert.Random(batch * channels * spatial, 31);
        float[] dy = KernelAssert.Random(batch * channels, 32);
        var expected = new double[batch * channels];
        for (int i = 0; i < x.Length; i++) expected[i / spatial] += (double)x[i] / spatial;
        var y = new float[batch * channels];
        Pool2d.GlobalAverageForward(batch, channels, spatial, x, y);
        KernelAssert.Close(expected, y, 1e-6);

        var expectedDx = new double[x.Length];
        for (int i = 0; i < x.Length; i++) expectedDx[i] = (double)dy[i / spatial] / spatial;
        var dx = new float[x.Length];
        Pool2d.GlobalAverageBackward(batch, channels, spatial, dy, dx);
        KernelAssert.Close(expectedDx, dx, 1e-6);
    }
}
