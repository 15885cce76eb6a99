using ModelAudit.Tensors.Kernels.Elementwise;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Tests.Kernels.Elementwise;

[Collection(ModelAudit.Tensors.Tests.Kernels.KernelParallelCollection.Name)]
public class ChannelScaleTests
{
    [Fact]
    public unsafe void Rows_SpecialAndRandomValues_BitIdenticalToScalarProduct()
    {
        float[] x = HardSwishTests.Inputs(); // 37 per row: two vectors of 16 (or four of 8) and a tail
        int length = x.Length, rows = 5;
        float[] input = [.. Enumerable.Range(0, rows).SelectMany(_ => x)];
        float[] scale = [0.5f, -0f, float.NaN, 3e38f, -1.25f];
        var y = new float[input.Length];
        fixed (float* px = input, ps = scale, py = y) ChannelScale.Rows(px, ps, py, length, 0, rows);
        for (int i = 0; i < y.Length; i++) Assert.Equal(BitConverter.SingleToInt32Bits(input[i] * scale[i / length]), BitConverter.SingleToInt32Bits(y[i]));
    }

    /// <summary>Squeeze-excitation's Mul, gate [N, C, 1, 1] times features [N, C, H, W], in either operand order: the scalar product per element.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BinaryForward_PerChannelScale_BitIdenticalToScalarProduct(bool gateFirst)
    {
        var features = Tensor.FromArray(KernelAssert.Random(3 * 5 * 7 * 7, 11, -4, 4), 3, 5, 7, 7);
        var gate = Tensor.FromArray(KernelAssert.Random(3 * 5, 12, 0, 1), 3, 5, 1, 1);
        var y = ComputeBackends.Cpu.Allocate(features.Shape, clear: false);
        var mul = new Binary(BinaryKind.Mul);
        mul.Forward(gateFirst ? [gate, features] : [features, gate], [y]);
        float[] f = features.ToArray(), s = gate.ToArray(), actual = y.ToArray();
        for (int i = 0; i < f.Length; i++) Assert.Equal(BitConverter.SingleToInt32Bits(f[i] * s[i / 49]), BitConverter.SingleToInt32Bits(actual[i]));
    }
}
