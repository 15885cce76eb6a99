using System.Numerics.Tensors;
using ModelAudit.Tensors.Kernels;
using ModelAudit.Tensors.Kernels.Elementwise;
using ModelAudit.Tensors.Operations;
using Conv2d = ModelAudit.Tensors.Kernels.Conv2d;

namespace ModelAudit.Tensors.Tests.Kernels;

/// <summary>
/// The fused forward (bias, residual and activation applied to each output tile while it is hot) against the unfused
/// operations one after the other, bit for bit, on every convolution path, at one and two threads.
/// </summary>
[Collection(KernelParallelCollection.Name)]
public class Conv2dFusedTests
{
    public static TheoryData<string, bool, FusedActivationKind> Cases()
    {
        var data = new TheoryData<string, bool, FusedActivationKind>();
        foreach (string name in Geometries.Keys)
        {
            data.Add(name, true, FusedActivationKind.Relu);
            data.Add(name, true, FusedActivationKind.None);
            data.Add(name, false, FusedActivationKind.Relu);
            data.Add(name, false, FusedActivationKind.HardSigmoid);
            data.Add(name, false, FusedActivationKind.GatedHardSigmoid);
            data.Add(name, true, FusedActivationKind.GatedHardSigmoid);
        }
        return data;
    }

    private static readonly Dictionary<string, Conv2dGeometry> Geometries = new()
    {
        // im2col per sample, 288 = 32*3*3 deep: two depth blocks, so the bias must go in before the second one.
        // (12 output channels: fewer than the Winograd path takes.)
        ["3x3 per sample, two depth blocks"] = new(3, 32, 20, 20, 12, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1),
        // Winograd F(2x2, 3x3): the bias with the output transform, residual and activation as each row run is stored.
        ["3x3 Winograd"] = new(3, 32, 20, 20, 24, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1),
        // 1x1 stride 1: the input is the GEMM operand.
        ["1x1 pointwise"] = new(2, 8, 18, 18, 20, 1, 1),
        // 1x1 stride 2 (resnet's downsample), lowered.
        ["1x1 stride 2"] = new(2, 8, 36, 36, 24, 1, 1, StrideH: 2, StrideW: 2),
        // 7x7 maps: samples batched side by side.
        ["7x7 batched"] = new(5, 16, 7, 7, 24, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1),
        // 14x14 maps, pointwise: one GEMM per sample straight into y (in parallel at two threads).
        ["14x14 pointwise, per sample"] = new(5, 16, 14, 14, 24, 1, 1),
        // Two output channels: the GEMM's unpacked path.
        ["2 output channels, unpacked GEMM"] = new(2, 3, 20, 20, 2, 3, 3),
        ["depthwise 3x3"] = new(2, 12, 15, 15, 12, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 12),
        // mobilenet_v3's depthwise 5x5 on 14x14 maps (four-row blocks and a two-row rest) and 3x3 stride 2.
        ["depthwise 5x5"] = new(2, 24, 14, 14, 24, 5, 5, PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2, Groups: 24),
        // 7x7 maps: all seven rows at once.
        ["depthwise 5x5 on 7x7"] = new(2, 24, 7, 7, 24, 5, 5, PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2, Groups: 24),
        ["depthwise 3x3 stride 2"] = new(2, 16, 29, 29, 16, 3, 3, StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 16),
        // Squeeze-excitation's 1x1 maps: the small unpacked GEMM.
        ["1x1 maps"] = new(8, 24, 1, 1, 40, 1, 1),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_FusedVersusUnfused_BitIdentical(string name, bool residual, FusedActivationKind kind)
    {
        var g = Geometries[name];
        // Inputs in [-3, 3], so that many outputs lie beyond the HardSigmoid's kinks at -3 and 3.
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), 1, -3, 3), w = KernelAssert.Random((int)Conv2d.WeightLength(g), 2);
        float[] bias = KernelAssert.Random(g.OutChannels, 3), r = KernelAssert.Random((int)Conv2d.OutputLength(g), 4);
        // torch's hardsigmoid as exported.
        var activation = new FusedActivation(kind, 1f / 6f, 0.5f);
        var expected = Unfused(g, x, w, bias, residual ? r : null, activation);
        foreach (int threads in new[] { 1, 2 })
        {
            int before = KernelParallel.MaxDegree;
            KernelParallel.MaxDegree = threads;
            try
            {
                var y = new float[expected.Length];
                Conv2d.Forward(g, x, w, bias, residual ? r : ReadOnlySpan<float>.Empty, activation, y);
                Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), y.Select(BitConverter.SingleToInt32Bits));
            }
            finally
            {
                KernelParallel.MaxDegree = before;
            }
        }
    }

    /// <summary>
    /// The operations apart. Groups == 1 per-sample cases (not on the Winograd path) are rebuilt from the GEMM itself as the convolution did before
    /// fusion (C filled with the bias, then multiplied with beta = 1); the other paths use the unfused kernel.
    /// Then Add (TensorPrimitives.Add), Relu (TensorPrimitives.Max with 0), HardSigmoid and Mul (TensorPrimitives.Multiply)
    /// as their nodes compute them.
    /// </summary>
    private static float[] Unfused(in Conv2dGeometry g, float[] x, float[] w, float[] bias, float[]? residual, FusedActivation activation)
    {
        var y = new float[Conv2d.OutputLength(g)];
        bool perSample = g.Groups == 1 && !Conv2dBatched.Applies(g) && !Conv2dWinograd.Applies(g);
        if (perSample)
        {
            int kernelSize = g.InChannels * g.KernelHeight * g.KernelWidth, spatial = g.OutHeight * g.OutWidth, inSample = g.InChannels * g.InHeight * g.InWidth;
            var col = new float[kernelSize * spatial];
            for (int n = 0; n < g.Batch; n++)
            {
                var output = y.AsSpan(n * g.OutChannels * spatial, g.OutChannels * spatial);
                for (int o = 0; o < g.OutChannels; o++) output.Slice(o * spatial, spatial).Fill(bias[o]);
                unsafe
                {
                    fixed (float* px = x, pcol = col)
                    {
                        Im2Col.Lower(g, g.InChannels, px + n * inSample, pcol, parallel: false);
                    }
                }
                Sgemm.Multiply(false, false, g.OutChannels, spatial, kernelSize, 1f, w, kernelSize, col, spatial, 1f, output, spatial);
            }
        }
        else
        {
            Conv2d.Forward(g, x, w, bias, y);
        }
        if (residual is not null) TensorPrimitives.Add(y, residual, y);
        switch (activation.Kind)
        {
            case FusedActivationKind.Relu:
                TensorPrimitives.Max(y, 0f, y);
                break;
            case FusedActivationKind.HardSigmoid:
                HardSigmoid.Forward(activation.Alpha, activation.Beta, y, y);
                break;
            case FusedActivationKind.GatedHardSigmoid:
                var gate = new float[y.Length];
                HardSigmoid.Forward(activation.Alpha, activation.Beta, y, gate);
                TensorPrimitives.Multiply(y, gate, y);
                break;
        }
        return y;
    }
}
