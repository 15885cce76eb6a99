using ModelAudit.Tensors.Kernels.Elementwise;

namespace ModelAudit.Tensors.Tests.Kernels.Elementwise;

public class HardSwishTests
{
    /// <summary>Kinks at -3 and 3, their float neighbours, zeros, infinities, NaN, and a random spread; 37 values (vectors and a tail).</summary>
    internal static float[] Inputs()
    {
        var values = new List<float> { -3f, 3f, MathF.BitDecrement(-3f), MathF.BitIncrement(-3f), MathF.BitDecrement(3f), MathF.BitIncrement(3f),
            0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1e-30f, -1e30f };
        values.AddRange(KernelAssert.Random(24, 7, -8, 8));
        return [.. values];
    }

    [Fact]
    public void Forward_SpecialAndRandomValues_BitIdenticalToScalarForm()
    {
        float[] x = Inputs();
        var y = new float[x.Length];
        HardSwish.Forward(x, y);
        for (int i = 0; i < x.Length; i++) Assert.Equal(BitConverter.SingleToInt32Bits(HardSwish.Scalar(x[i])), BitConverter.SingleToInt32Bits(y[i]));
    }

    [Fact]
    public void Scalar_TorchValues_Match()
    {
        // torch.nn.functional.hardswish(torch.tensor([-4., -3., -1.5, 0., 1., 3., 5.])):
        // [-0., -0., -0.375, 0., 0.6666667, 3., 5.]
        float[] x = [-4f, -3f, -1.5f, 0f, 1f, 3f, 5f];
        float[] expected = [-0f, -0f, -0.375f, 0f, 0.6666667f, 3f, 5f];
        var y = new float[x.Length];
        HardSwish.Forward(x, y);
        for (int i = 0; i < x.Length; i++) Assert.Equal(expected[i], y[i], 1e-7f);
    }
}
