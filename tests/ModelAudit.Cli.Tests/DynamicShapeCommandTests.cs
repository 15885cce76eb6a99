using System.Text.Json;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Cli.Tests;

/// <summary>
/// Models with free dimensions, outputs beyond [N, classes] and token inputs through the commands
/// (fixtures of tests/fixtures/generate_target_fixtures.py).
/// </summary>
public sealed class DynamicShapeCommandTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("dynamic-cli-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string Fixture(string model, string file) => CliHarness.Golden(model, file);

    [Fact]
    public void Inspect_FreeDimension_ExitsThreeWithOneLineNamingTheShapeOption()
    {
        var model = Fixture("text_embed", "model.onnx");
        var (exit, output, error) = CliHarness.Run("inspect", model);
        Assert.Equal(3, exit);
        Assert.Equal("", output);
        Assert.Equal($"error: {model}: input 'ids' [N,L] has a free dimension 1; give its full shape, e.g. --shape ids=1xD with numbers for the free dimensions{Environment.NewLine}", error);
    }

    [Fact]
    public void Inspect_ShapeOption_InfersThatShapeAndCountsParameters()
    {
        var (exit, output, error) = CliHarness.Run("inspect", Fixture("text_embed", "model.onnx"), "--shape", "ids=2x7");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Contains("  ids  int64 [N,L]", output);
        Assert.Contains("-> /emb/Gather_output_0[2,7,6]", output);
        Assert.Contains("-> output[2,3]", output);
        // Embedding 12x6 + Linear 6x8 + 8 + Linear 8x3 + 3.
        Assert.Contains("parameters: 155", output);
    }

    [Theory]
    [InlineData("ids=2x", "dimension '' is not a whole number of at least 1")]
    [InlineData("ids=0x3", "dimension '0' is not a whole number of at least 1")]
    [InlineData("2x3", "is not NAME=AxBx...")]
    public void Inspect_BadShapeOption_OneLineExitThree(string value, string expected)
    {
        var (exit, _, error) = CliHarness.Run("inspect", Fixture("text_embed", "model.onnx"), "--shape", value);
        Assert.Equal(3, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Single(error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Inspect_ShapeForAnUnknownInput_NamesTheInputs()
    {
        var (exit, _, error) = CliHarness.Run("inspect", Fixture("text_embed", "model.onnx"), "--shape", "tokens=1x4");
        Assert.Equal(3, exit);
        Assert.Contains("the model has no input 'tokens' (inputs: ids)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_ConstantNodeWeights_CountAsParameters()
    {
        // A float Constant of 3 elements feeds Mul: Paddle2ONNX stores every weight this way.
        var (exit, output, _) = CliHarness.Run("inspect", CliHarness.OnnxFixture("constant_node.onnx"));
        Assert.Equal(0, exit);
        Assert.Contains("parameters: 3", output);
    }

    [Fact]
    public void Infer_FoldedLayer_SaysItWasFoldedAtLoad()
    {
        // 'target' = Concat(Unsqueeze(Gather(Shape(x)))) feeds only Reshape's shape: folded when the graph is built.
        var input = Path.Combine(_temp, "x.npy");
        NpyFile.Write(input, NpyArray.FromFloat32(new float[24], 3, 2, 4));
        var (exit, _, error) = CliHarness.Run("infer", CliHarness.OnnxFixture("fold_shape_gather_unsqueeze_concat_reshape.onnx"), "--input", input, "--layers", "target");
        Assert.Equal(3, exit);
        Assert.Equal($"error: layer 'target' was computed when the model was loaded (it depends only on constants and shapes, so it was folded into the nodes that use it) and is not a runtime tensor{Environment.NewLine}", error);
    }

    [Fact]
    public void Grad_SequenceOutputTargetAxisLast_MatchesTorch()
    {
        var dump = Path.Combine(_temp, "g");
        var (exit, _, error) = CliHarness.Run("grad", Fixture("seq_tc", "model.onnx"), "--input", Fixture("seq_tc", "input.npy"),
            "--target", Fixture("seq_tc", "target.npy"), "--target-axis", "-1", "--layers", "input", "--dump", dump);
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        var expected = NpyFile.Read(Fixture("seq_tc", "grad_input.npy")).ToFloat32();
        var actual = NpyFile.Read(Path.Combine(dump, LayerDump.ReadIndex(dump)["input"])).ToFloat32();
        // One backward through two small layers: float32 rounding only.
        Assert.True(CliHarness.RelativeError(expected, actual) <= 1e-5);
    }

    [Fact]
    public void Grad_TargetAxisIsTheBatch_OneLineExitThree()
    {
        var (exit, _, error) = CliHarness.Run("grad", Fixture("seq_tc", "model.onnx"), "--input", Fixture("seq_tc", "input.npy"),
            "--target", Fixture("seq_tc", "target.npy"), "--target-axis", "0", "--layers", "input", "--dump", Path.Combine(_temp, "g"));
        Assert.Equal(3, exit);
        Assert.Contains("target axis 0 is the batch axis of output [3,6,5]", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Attribute_TokenIdsFromTheEmbedding_MatchesLayerIntegratedGradients()
    {
        var dump = Path.Combine(_temp, "a");
        var (exit, _, error) = CliHarness.Run("attribute", Fixture("text_embed", "model.onnx"), "--input", Fixture("text_embed", "input.npy"),
            "--target", Fixture("text_embed", "target.npy"), "--method", "integrated-gradients", "--steps", "20",
            "--from-layer", "/emb/Gather_output_0", "--dump", dump);
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        var expected = NpyFile.Read(Fixture("text_embed", "ig_emb.npy")).ToFloat32();
        var actual = NpyFile.Read(Path.Combine(dump, LayerDump.ReadIndex(dump)["/emb/Gather_output_0"])).ToFloat32();
        // Path integral of 20 points in float32: 1e-3 of the largest value, the bar for attributions.
        Assert.True(CliHarness.RelativeError(expected, actual) <= 1e-3);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dump, LayerDump.SummaryFileName)));
        Assert.Equal("/emb/Gather_output_0", summary.RootElement.GetProperty("from_layer").GetString());
    }

    [Fact]
    public void Analyze_TokenIdsFromTheEmbedding_SharesMatchTorch()
    {
        string[] layers = ["/lin1/Add_output_0", "/relu/Relu_output_0"];
        var json = Path.Combine(_temp, "analysis.json");
        var (exit, _, error) = CliHarness.Run("analyze", Fixture("text_embed", "model.onnx"), "--input", Fixture("text_embed", "input.npy"),
            "--labels", Fixture("text_embed", "target.npy"), "--layers", string.Join(',', layers), "--steps", "20",
            "--from-layer", "/emb/Gather_output_0", "--estimator", "binning", "--json", json);
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        // Conductance share = mean over samples of sum |C| of the layer, normalised over the layers; C from the torch golden
        // (LayerIntegratedGradients convention, 20 Gauss-Legendre points). 1e-4 relative: the audit's bar for the same goldens.
        var magnitude = new[] { "cond_lin1.npy", "cond_relu.npy" }.Select(f =>
        {
            var c = NpyFile.Read(Fixture("text_embed", f));
            return c.ToFloat32().Sum(v => Math.Abs((double)v)) / c.Shape[0];
        }).ToList();
        using var result = JsonDocument.Parse(File.ReadAllText(json));
        var shares = result.RootElement.GetProperty("layers").EnumerateArray().ToDictionary(l => l.GetProperty("layer").GetString()!, l => l.GetProperty("conductance_share").GetDouble());
        for (int i = 0; i < layers.Length; i++)
            Assert.True(Math.Abs(shares[layers[i]] - magnitude[i] / magnitude.Sum()) <= 1e-4 * magnitude[i] / magnitude.Sum(), $"{layers[i]}: {shares[layers[i]]} vs torch {magnitude[i] / magnitude.Sum()}");
    }

    [Fact]
    public void Attribute_TokenIdsWithoutFromLayer_OneLineNamingTheOption()
    {
        var (exit, _, error) = CliHarness.Run("attribute", Fixture("text_embed", "model.onnx"), "--input", Fixture("text_embed", "input.npy"),
            "--target-class", "0", "--method", "conductance", "--layers", "/relu/Relu_output_0", "--dump", Path.Combine(_temp, "a"));
        Assert.Equal(3, exit);
        Assert.Contains("holds integer token ids, which cannot be interpolated", error, StringComparison.Ordinal);
        Assert.Contains("--from-layer", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Attribute_DenseOutputFreeSizeOtherShape_RunsAtTheDataShape()
    {
        // The dense model was exported at 5x7; H and W are free, so 4x9 data runs (the output follows the data).
        var input = Path.Combine(_temp, "x.npy");
        var values = new float[2 * 3 * 4 * 9];
        for (int i = 0; i < values.Length; i++) values[i] = MathF.Sin(i);
        NpyFile.Write(input, NpyArray.FromFloat32(values, 2, 3, 4, 9));
        var dump = Path.Combine(_temp, "d");
        var (exit, output, error) = CliHarness.Run("attribute", Fixture("dense_chw", "model.onnx"), "--input", input, "--target", "predicted",
            "--target-axis", "1", "--target-reduce", "mean", "--method", "conductance", "--steps", "64", "--layers", "/relu/Relu_output_0", "--dump", dump);
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Contains("/relu/Relu_output_0  [2,6,4,9]", output);
        // Completeness: conductance sums to F(x) - F(baseline) up to the integration error of 64 points.
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dump, LayerDump.SummaryFileName)));
        var layer = summary.RootElement.GetProperty("layers").GetProperty("/relu/Relu_output_0");
        Assert.True(layer.GetProperty("max_abs_delta").GetDouble() < 1e-2);
    }
}
