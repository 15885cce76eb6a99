using ModelAudit.Analysis.Attribution;
using ModelAudit.Onnx;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Analysis.Tests.Attribution;

public sealed class LayerConductanceTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void Compute_PassesOfFewRows_EqualOnePassWithTheCarriedPoint(int rowsPerPass)
    {
        // Passes share no point: the pair (k, k+1) that straddles two passes is added from the carried y_k and g_k.
        // One row per pass carries at every point. A pass's batch size changes the engine's GEMM path, so values may
        // differ in the last bits: 1e-6 of the layer's largest value.
        var dir = Path.Combine(RepositoryPaths.Fixtures, "digits_cnn");
        var model = new ModelExecution(new OnnxSession(OnnxModel.Load(Path.Combine(dir, "model.onnx"))));
        using var input = NpyFile.Read(Path.Combine(dir, "input.npy")).ToTensor();
        var targets = NpyFile.Read(Path.Combine(dir, "labels.npy")).ToInt64();
        string[] layers = ["/relu1/Relu_output_0", "/relu3/Relu_output_0"];
        var whole = new LayerConductance(model, new PathIntegralOptions(Steps: 12)).Compute(input, targets, [0f], layers);
        var passes = new LayerConductance(model, new PathIntegralOptions(Steps: 12, InternalBatchSize: rowsPerPass)).Compute(input, targets, [0f], layers);
        foreach (var layer in layers)
        {
            var expected = whole.Layers[layer].Values.ToArray();
            var actual = passes.Layers[layer].Values.ToArray();
            double scale = expected.Max(MathF.Abs);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 * scale, $"{layer}[{i}]: {expected[i]} vs {actual[i]}");
            Assert.Equal(whole.Layers[layer].ConvergenceDelta.Length, passes.Layers[layer].ConvergenceDelta.Length);
        }
    }
}
