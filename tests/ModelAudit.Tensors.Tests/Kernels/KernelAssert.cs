using ModelAudit.Tensors.Kernels;
using ModelAudit.Tensors.Operations;
using Conv2d = ModelAudit.Tensors.Kernels.Conv2d;

namespace ModelAudit.Tensors.Tests.Kernels;

/// <summary>Closeness checks for kernel tests: relative error = max-abs error / max-abs expected value.</summary>
internal static class KernelAssert
{
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double relTol)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxError = 0, maxValue = 0;
        int worst = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]);
            if (double.IsNaN(actual[i]) != double.IsNaN(expected[i])) error = double.PositiveInfinity;
            if (error > maxError)
            {
                maxError = error;
                worst = i;
            }
            maxValue = Math.Max(maxValue, Math.Abs(expected[i]));
        }
        double relative = maxError / Math.Max(maxValue, double.Epsilon);
        Assert.True(relative <= relTol,
            $"relative error {relative:E3} > {relTol:E1} (worst at {worst}: expected {(worst >= 0 ? expected[worst] : 0)}, actual {(worst >= 0 ? actual[worst] : 0)})");
    }

    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relTol)
    {
        var widened = new double[expected.Length];
        for (int i = 0; i < expected.Length; i++) widened[i] = expected[i];
        Close(widened, actual, relTol);
    }

    /// <summary>|expected - actual| &lt;= relTol * max(|expected|, scale).</summary>
    public static void Close(double expected, double actual, double relTol, double scale)
    {
        double relative = Math.Abs(expected - actual) / Math.Max(Math.Abs(expected), scale);
        Assert.True(relative <= relTol, $"expected {expected}, actual {actual}: relative error {relative:E3} > {relTol:E1}");
    }

    public static float[] Random(int length, int seed, float low = -1, float high = 1)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < values.Length; i++) values[i] = low + (float)random.NextDouble() * (high - low);
        return values;
    }

    /// <summary>
    /// Conv2d.Forward equal bit for bit to <paramref name="reference"/>(bias, residual, activation) with and without the
    /// bias, for no activation, ReLU over the residual and the gated HardSigmoid (torch's HardSwish), at one and two threads.
    /// </summary>
    public static void ForwardBitIdentical(in Conv2dGeometry g, float[] x, float[] w, float[] bias, float[] residual,
        Func<float[], float[], FusedActivation, float[]> reference)
    {
        var geometry = g;
        var activations = new[] { FusedActivation.None, FusedActivation.Relu, new FusedActivation(FusedActivationKind.GatedHardSigmoid, 1f / 6, 0.5f) };
        foreach (var activation in activations)
        {
            foreach (bool withBias in new[] { true, false })
            {
                float[] b = withBias ? bias : [], r = activation.Kind == FusedActivationKind.Relu ? residual : [];
                float[] expected = reference(b, r, activation);
                foreach (int threads in new[] { 1, 2 })
                {
                    float[] y = WithThreads(threads, () =>
                    {
                        var output = new float[expected.Length];
                        ModelAudit.Tensors.Kernels.Conv2d.Forward(geometry, x, w, b, r, activation, output);
                        return output;
                    });
                    Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), y.Select(BitConverter.SingleToInt32Bits));
                }
            }
        }
    }

    /// <summary>
    /// The forward of <paramref name="g"/> with a bias, a residual and <paramref name="activation"/> through
    /// <see cref="Conv2d.Forward(in Conv2dGeometry, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, in FusedActivation, Span{float})"/>
    /// at one and two threads, bit for bit <see cref="Conv2dShiftedRows"/>' result at one thread (every output overwritten:
    /// y starts as garbage). For the geometries the dispatcher sends elsewhere with the same sums.
    /// </summary>
    public static unsafe void ForwardMatchesShiftedRows(Conv2dGeometry g, FusedActivation activation, int seed)
    {
        float[] x = Random((int)Conv2d.InputLength(g), seed), w = Random((int)Conv2d.WeightLength(g), seed + 1);
        float[] bias = Random(g.OutChannels, seed + 2), residual = Random((int)Conv2d.OutputLength(g), seed + 3);
        float[] Run(bool shifted, int threads) => WithThreads(threads, () =>
        {
            var y = Random((int)Conv2d.OutputLength(g), seed + 4);
            if (shifted)
            {
                fixed (float* px = x, pw = w, pb = bias, pr = residual, py = y) Conv2dShiftedRows.Forward(g, px, pw, pb, pr, activation, py);
            }
            else
            {
                Conv2d.Forward(g, x, w, bias, residual, activation, y);
            }
            return y;
        });
        int[] expected = [.. Run(shifted: true, 1).Select(BitConverter.SingleToInt32Bits)];
        Assert.Equal(expected, Run(shifted: false, 1).Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(expected, Run(shifted: false, 2).Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>Runs <paramref name="run"/> with the kernels limited to <paramref name="threads"/> workers (callers sit in <see cref="KernelParallelCollection"/>).</summary>
    public static float[] WithThreads(int threads, Func<float[]> run)
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
