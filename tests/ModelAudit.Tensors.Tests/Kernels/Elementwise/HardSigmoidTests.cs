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
}
