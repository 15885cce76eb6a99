using System.Numerics.Tensors;
using ModelAudit.Tensors.Kernels.Elementwise;

namespace ModelAudit.Tensors.Tests.Kernels.Elementwise;

/// <summary>The fused convolution tail against the unfused Add (TensorPrimitives.Add) and Relu (TensorPrimitives.Max with 0) nodes.</summary>
public unsafe class ResidualReluTests
{
    /// <summary>Random values with NaN, signed zeros and infinities mixed in; lengths cover the 16-, 8- and 1-wide loops.</summary>
    private static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        float[] special = [float.NaN, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, 1e-40f, -1e-40f];
        for (int i = 0; i < length; i++) values[i] = i % 5 == 3 ? special[random.Next(special.Length)] : (float)(random.NextDouble() * 4 - 2);
        return values;
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Apply_AgainstAddThenMax_BitIdentical(bool residual, bool relu)
    {
        for (int length = 0; length <= 41; length++)
        {
            float[] x = Values(length, length), r = Values(length, 100 + length);
            var expected = (float[])x.Clone();
            if (residual) TensorPrimitives.Add(expected, r, expected);
            if (relu) TensorPrimitives.Max(expected, 0f, expected);
            var actual = new float[length];
            fixed (float* px = x, pr = r, py = actual)
            {
                ResidualRelu.Apply(px, residual ? pr : null, relu, py, length);
            }
            for (int i = 0; i < length; i++)
                Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(actual[i]));
        }
    }

    [Fact]
    public void Apply_InPlace_SameAsSeparateOutput()
    {
        float[] x = Values(37, 1), r = Values(37, 2);
        var separate = new float[x.Length];
        fixed (float* px = x, pr = r, ps = separate)
        {
            ResidualRelu.Apply(px, pr, true, ps, x.Length);
            ResidualRelu.Apply(px, pr, true, px, x.Length);
        }
        Assert.Equal(separate.Select(BitConverter.SingleToInt32Bits), x.Select(BitConverter.SingleToInt32Bits));
    }
}
