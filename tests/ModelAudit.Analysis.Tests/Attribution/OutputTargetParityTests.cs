using ModelAudit.Analysis.Attribution;
using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Analysis.Tests.Attribution;

/// <summary>
/// Conductance and integrated gradients for outputs beyond [N, classes] and from an inner layer (token inputs),
/// against PyTorch goldens computed as Captum does (tests/fixtures/generate_target_fixtures.py). The models are
/// exported with free dimensions, so the sample shape comes from the data. Tolerance: 1e-3 of the largest
/// golden value (float32 through different summation orders; the bar for conductance).
/// </summary>
public sealed class OutputTargetParityTests
{
    private const double Tolerance = 1e-3;

    private static (ModelExecution Model, Tensor Input, long[] Targets, string Dir) Load(string name, string targetFile = "target.npy")
    {
        var dir = Path.Combine(RepositoryPaths.Fixtures, name);
        var session = new OnnxSession(OnnxModel.Load(Path.Combine(dir, "model.onnx")));
        var input = session.InputFrom(NpyFile.Read(Path.Combine(dir, "input.npy")), "input.npy");
        return (ModelExecution.ForData(session, input), input, NpyFile.Read(Path.Combine(dir, targetFile)).ToInt64(), dir);
    }

    private static void AssertClose(string golden, Tensor actual)
    {
        var expected = NpyFile.Read(golden);
        Assert.Equal(expected.Shape, actual.Shape.ToArray());
        var e = expected.ToFloat32();
        var a = actual.ToArray();
        double scale = Math.Max(1e-6, e.Max(MathF.Abs));
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= Tolerance * scale, $"{Path.GetFileName(golden)}[{i}]: expected {e[i]}, got {a[i]} (scale {scale})");
    }

    private static void AssertDifference(string golden, AttributionResult result)
    {
        var expected = NpyFile.Read(golden).ToFloat32();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - result.TargetDifference[i]) <= 1e-5 + 1e-4 * Math.Abs(expected[i]), $"difference[{i}]: {expected[i]} vs {result.TargetDifference[i]}");
    }

    [Fact]
    public void Conductance_SequenceOutputClassSummedOverTime_MatchesTorch()
    {
        var (model, input, targets, dir) = Load("seq_tc");
        var options = new PathIntegralOptions(Steps: 20, Target: new OutputTarget(-1, TargetReduction.Sum));
        string[] layers = ["/lin1/Add_output_0", "/relu/Relu_output_0"];
        var result = new LayerConductance(model, options).Compute(input, targets, [0f], layers);
        AssertClose(Path.Combine(dir, "cond_lin1.npy"), result.Layers[layers[0]].Values);
        AssertClose(Path.Combine(dir, "cond_relu.npy"), result.Layers[layers[1]].Values);
        AssertDifference(Path.Combine(dir, "difference.npy"), result);
    }

    [Fact]
    public void IntegratedGradients_SequenceOutputWithFreeLength_MatchesTorch()
    {
        var (model, input, targets, dir) = Load("seq_tc");
        Assert.Equal([6, 4], model.SampleShape.ToArray());
        var options = new PathIntegralOptions(Steps: 20, Target: new OutputTarget(-1, TargetReduction.Sum));
        var result = new IntegratedGradients(model, options).Compute(input, targets, [0f]);
        AssertClose(Path.Combine(dir, "ig_input.npy"), result.Layers["input"].Values);
    }

    [Fact]
    public void Conductance_DensePredictionClassMeanOverPixels_MatchesTorch()
    {
        var (model, input, targets, dir) = Load("dense_chw");
        var options = new PathIntegralOptions(Steps: 20, Target: new OutputTarget(1, TargetReduction.Mean));
        var result = new LayerConductance(model, options).Compute(input, targets, [0f], ["/relu/Relu_output_0"]);
        AssertClose(Path.Combine(dir, "cond_relu.npy"), result.Layers["/relu/Relu_output_0"].Values);
        AssertDifference(Path.Combine(dir, "difference.npy"), result);
        var ig = new IntegratedGradients(model, options).Compute(input, targets, [0f]);
        AssertClose(Path.Combine(dir, "ig_input.npy"), ig.Layers["input"].Values);
    }

    [Fact]
    public void Conductance_DensePredictionFlatIndexPerSample_MatchesTorch()
    {
        var (model, input, targets, dir) = Load("dense_chw", "flat_target.npy");
        var options = new PathIntegralOptions(Steps: 20, Target: new OutputTarget(Reduction: TargetReduction.Flat));
        var result = new LayerConductance(model, options).Compute(input, targets, [0f], ["/relu/Relu_output_0"]);
        AssertClose(Path.Combine(dir, "flat_cond_relu.npy"), result.Layers["/relu/Relu_output_0"].Values);
        AssertDifference(Path.Combine(dir, "flat_difference.npy"), result);
        var ig = new IntegratedGradients(model, options).Compute(input, targets, [0f]);
        AssertClose(Path.Combine(dir, "flat_ig_input.npy"), ig.Layers["input"].Values);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void IntegratedGradients_TokenIdsFromTheEmbedding_MatchesLayerIntegratedGradients(int internalBatchSize)
    {
        // Baseline ids 0 (Captum's zeros): the layer's baseline is emb(0), a random row, not zeros.
        var (model, input, targets, dir) = Load("text_embed");
        Assert.True(model.InputIsIndices);
        var options = new PathIntegralOptions(Steps: 20, InternalBatchSize: internalBatchSize, FromLayer: "/emb/Gather_output_0");
        var result = new IntegratedGradients(model, options).Compute(input, targets, [0f]);
        AssertClose(Path.Combine(dir, "ig_emb.npy"), result.Layers["/emb/Gather_output_0"].Values);
        AssertDifference(Path.Combine(dir, "difference.npy"), result);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Conductance_TokenIdsFromTheEmbedding_MatchesTorch(int internalBatchSize)
    {
        var (model, input, targets, dir) = Load("text_embed");
        var options = new PathIntegralOptions(Steps: 20, InternalBatchSize: internalBatchSize, FromLayer: "/emb/Gather_output_0");
        string[] layers = ["/lin1/Add_output_0", "/relu/Relu_output_0"];
        var result = new LayerConductance(model, options).Compute(input, targets, [0f], layers);
        AssertClose(Path.Combine(dir, "cond_lin1.npy"), result.Layers[layers[0]].Values);
        AssertClose(Path.Combine(dir, "cond_relu.npy"), result.Layers[layers[1]].Values);
    }

    [Fact]
    public void Conductance_TokenIdsWithoutFromLayer_RefusesNamingTheOption()
    {
        var (model, input, targets, _) = Load("text_embed");
        var e = Assert.Throws<ModelInputException>(() => new LayerConductance(model, new PathIntegralOptions(Steps: 4)).Compute(input, targets, [0f], ["/relu/Relu_output_0"]));
        Assert.Contains("--from-layer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Predicted_SequenceOutput_IsTheArgMaxOfTheSummedClassScores()
    {
        var (model, input, _, dir) = Load("seq_tc");
        var output = NpyFile.Read(Path.Combine(dir, "output.npy"));
        var values = output.ToFloat32();
        var predicted = new OutputTarget(-1).Predicted(new TensorShape(output.Shape), values);
        for (int i = 0; i < output.Shape[0]; i++)
        {
            var sums = new double[output.Shape[2]];
            for (int t = 0; t < output.Shape[1]; t++)
                for (int c = 0; c < sums.Length; c++) sums[c] += values[(i * output.Shape[1] + t) * sums.Length + c];
            Assert.Equal(Array.IndexOf(sums, sums.Max()), (int)predicted[i]);
        }
        Assert.Equal(input.Shape[0], predicted.Length);
    }
}
