using ModelAudit.Tensors.Kernels.Elementwise;

namespace ModelAudit.Tensors.Tests.Kernels.Elementwise;

public class HardSigmoidTests
{
    [Theory]
    [InlineData(0.2f, 0.5f)] // ONNX default
    [InlineData(1f / 6f, 0.5f)] // torch's hardsigmoid as exported
    public void Forward_SpecialAndRandomValues_EqualToScalarForm(float alpha, float beta)
    {
        float[] x = HardSwishTests.Inputs();
        var y = new float[x.Length];
        HardSigmoid.Forward(alpha, beta, x, y);
        // Equal as floats (a clamped -0 may come back +0 from the vector maximum); NaN stays NaN.
        for (int i = 0; i < x.Length; i++) Assert.Equal(HardSigmoid.Scalar(alpha, beta, x[i]), y[i]);
    }

    [Theory]
    [InlineData(0.2f, 0.5f)]
    [InlineData(1f / 6f, 0.5f)]
    public void Backward_SpecialAndRandomValues_BitIdenticalToScalarForm(float alpha, float beta)
    {
        float[] x = HardSwishTests.Inputs();
        float[] dy = [.. x.Select((_, i) => (float)Math.Sin(i) * 3f)];
        var dx = new float[x.Length];
        HardSigmoid.Backward(alpha, beta, x, dy, dx);
        for (int i = 0; i < x.Length; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(HardSigmoid.ScalarGradient(alpha, beta, x[i], dy[i])), BitConverter.SingleToInt32Bits(dx[i]));
        // Inside the slope the gradient is alpha * dy; at and beyond the kinks (x = -3 and 3 for torch's form) zero.
        Assert.Contains(dx, v => v != 0);
        Assert.Contains(dx, v => v == 0);
    }
}
