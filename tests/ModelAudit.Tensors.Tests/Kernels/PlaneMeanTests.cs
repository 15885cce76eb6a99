using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors.Tests.Kernels;

[Collection(KernelParallelCollection.Name)]
public class PlaneMeanTests
{
    /// <summary>
    /// Plane lengths around every block boundary of the order (8, 16, 32, 64 floats) and the maps of mobilenet (7x7,
    /// 14x14, 56x56): each mean against a float64 mean within 1e-6 absolute (values in [-1, 1]; a float sum of at most
    /// 3139 of them in 16 lanes carries about 200 roundings of at most 6e-8 relative each, spread over the mean's 1/n).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(49)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(196)]
    [InlineData(3139)]
    public unsafe void Forward_RandomPlanes_MatchFloat64Mean(int length)
    {
        const int planes = 6;
        float[] x = KernelAssert.Random(planes * length, length);
        var y = new float[planes];
        fixed (float* px = x, py = y) PlaneMean.Forward(px, py, planes, length);
        for (int p = 0; p < planes; p++)
        {
            double exact = 0;
            for (int i = 0; i < length; i++) exact += x[p * length + i];
            exact /= length;
            Assert.True(Math.Abs(exact - y[p]) <= 1e-6, $"plane {p} of {length}: {y[p]} vs {exact}");
        }
    }

    /// <summary>The order is fixed by the plane, not by where it lies: the same values at offsets 0 to 17 give the same bits.</summary>
    [Fact]
    public unsafe void Sum_SameValuesAtAnyOffset_BitIdentical()
    {
        float[] values = KernelAssert.Random(196, 5, -1000, 1000);
        float first = 0;
        for (int offset = 0; offset < 18; offset++)
        {
            var buffer = new float[offset + values.Length];
            values.CopyTo(buffer, offset);
            float sum;
            fixed (float* p = buffer) sum = PlaneMean.Sum(p + offset, values.Length);
            if (offset == 0) first = sum;
            Assert.Equal(BitConverter.SingleToInt32Bits(first), BitConverter.SingleToInt32Bits(sum));
        }
    }

    [Fact]
    public unsafe void Forward_OneVersusTwoThreads_BitIdentical()
    {
        const int planes = 8 * 96, length = 196;
        float[] x = KernelAssert.Random(planes * length, 3);
        float[] Run(int threads) => KernelAssert.WithThreads(threads, () =>
        {
            var y = new float[planes];
            fixed (float* px = x, py = y) PlaneMean.Forward(px, py, planes, length);
            return y;
        });
        Assert.Equal(Run(1).Select(BitConverter.SingleToInt32Bits), Run(2).Select(BitConverter.SingleToInt32Bits));
    }
}
