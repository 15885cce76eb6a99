using System.Numerics.Tensors;
using ModelAudit.Tensors.Kernels.Elementwise;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Tests.Kernels.Elementwise;

/// <summary>
/// The fused convolution tail against the unfused nodes as the backend runs them: Add (TensorPrimitives.Add), Relu
/// (TensorPrimitives.Max with 0), HardSigmoid (<see cref="HardSigmoid.Forward"/>) and Mul (TensorPrimitives.Multiply).
/// </summary>
public unsafe class ResidualActivationTests
{
    /// <summary>Random values with NaN, signed zeros and infinities mixed in; lengths cover the 16-, 8- and 1-wide loops.</summary>
    private static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        float[] special = [float.NaN, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, 1e-40f, -1e-40f, -3f, 3f];
        for (int i = 0; i < length; i++) values[i] = i % 5 == 3 ? special[random.Next(special.Length)] : (float)(random.NextDouble() * 8 - 4);
        return values;
    }

    public static TheoryData<bool, FusedActivationKind, float, float> Cases()
    {
        var data = new TheoryData<bool, FusedActivationKind, float, float>();
        foreach (bool residual in new[] { true, false })
        {
            data.Add(residual, FusedActivationKind.Relu, 0f, 0f);
            // torch's hardsigmoid as exported (alpha 1/6, beta 1/2) and the ONNX default (0.2, 0.5).
            data.Add(residual, FusedActivationKind.HardSigmoid, 1f / 6f, 0.5f);
            data.Add(residual, FusedActivationKind.GatedHardSigmoid, 1f / 6f, 0.5f);
            data.Add(residual, FusedActivationKind.GatedHardSigmoid, 0.2f, 0.5f);
        }
        data.Add(true, FusedActivationKind.None, 0f, 0f);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Apply_AgainstUnfusedNodes_BitIdentical(bool residual, FusedActivationKind kind, float alpha, float beta)
    {
        var activation = new FusedActivation(kind, alpha, beta);
        for (int length = 0; length <= 41; length++)
        {
            float[] x = Values(length, length), r = Values(length, 100 + length);
            var expected = (float[])x.Clone();
            if (residual) TensorPrimitives.Add(expected, r, expected);
            switch (kind)
            {
                case FusedActivationKind.Relu:
                    TensorPrimitives.Max(expected, 0f, expected);
                    break;
                case FusedActivationKind.HardSigmoid:
                    HardSigmoid.Forward(alpha, beta, expected, expected);
                    break;
                case FusedActivationKind.GatedHardSigmoid:
                    var gate = new float[length];
                    HardSigmoid.Forward(alpha, beta, expected, gate);
                    TensorPrimitives.Multiply(expected, gate, expected);
                    break;
            }
            var actual = new float[length];
            fixed (float* px = x, pr = r, py = actual)
            {
                ResidualActivation.Apply(px, residual ? pr : null, activation, py, length);
            }
            for (int i = 0; i < length; i++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(actual[i]));
                Assert.Equal(BitConverter.SingleToInt32Bits(ResidualActivation.Scalar(x[i], r[i], residual, activation)), BitConverter.SingleToInt32Bits(actual[i]));
            }
        }
    }

    [Fact]
    public void Apply_InPlace_SameAsSeparateOutput()
    {
        float[] x = Values(37, 1), r = Values(37, 2);
        var separate = new float[x.Length];
        var activation = new FusedActivation(FusedActivationKind.GatedHardSigmoid, 1f / 6f, 0.5f);
        fixed (float* px = x, pr = r, ps = separate)
        {
            ResidualActivation.Apply(px, pr, activation, ps, x.Length);
            ResidualActivation.Apply(px, pr, activation, px, x.Length);
        }
        Assert.Equal(separate.Select(BitConverter.SingleToInt32Bits), x.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Apply_GatedHardSigmoid_TorchHardswishValues()
    {
        // torch.nn.functional.hardswish(torch.tensor([-4., -3., -1.5, 0., 1., 3., 5.])) = [-0., -0., -0.375, 0., 0.6666667, 3., 5.];
        // x * HardSigmoid(x) with alpha = 1/6 in float32 (torch's ONNX export) rounds differently from x / 6 only in the last bit.
        float[] x = [-4f, -3f, -1.5f, 0f, 1f, 3f, 5f];
        float[] expected = [-0f, -0f, -0.375f, 0f, 0.6666667f, 3f, 5f];
        var y = new float[x.Length];
        fixed (float* px = x, py = y)
        {
            ResidualActivation.Apply(px, null, new FusedActivation(FusedActivationKind.GatedHardSigmoid, 1f / 6f, 0.5f), py, x.Length);
        }
        for (int i = 0; i < x.Length; i++) Assert.Equal(expected[i], y[i], 1e-7f);
    }
}
