using System.Text.Json;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Cli.Tests;

public sealed class CommandTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("cli-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static readonly string DigitsModel = CliHarness.Golden("digits_cnn", "model.onnx");
    private static readonly string DigitsInput = CliHarness.Golden("digits_cnn", "input.npy");
    private static readonly string DigitsTarget = CliHarness.Golden("digits_cnn", "target.npy");

    [Fact]
    public void Inspect_DigitsCnn_PrintsShapesAndParameterCounts()
    {
        var (exit, output, error) = CliHarness.Run("inspect", DigitsModel);
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Contains("  input  float32 [64,1,8,8]", output);
        Assert.Contains("  /fc1/Gemm  Gemm  -> /fc1/Gemm_output_0[64,32]  params 8,224", output);
        // 80 + 1168 + 8224 + 128 (BN scale, bias, mean, var) + 330.
        Assert.Contains("parameters: 9,930", output);
        Assert.Contains("unsupported operators: none", output);
    }

    [Fact]
    public void Inspect_Json_IsParseableWithEveryNode()
    {
        var (exit, output, _) = CliHarness.Run("inspect", DigitsModel, "--json");
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(10, doc.RootElement.GetProperty("Nodes").GetArrayLength());
        Assert.Equal(9930, doc.RootElement.GetProperty("TotalParameters").GetInt64());
    }

    [Fact]
    public void Inspect_UnsupportedOperators_ListsThemAndSucceeds()
    {
        var (exit, output, _) = CliHarness.Run("inspect", CliHarness.OnnxFixture("error_unsupported_ops.onnx"));
        Assert.Equal(0, exit);
        Assert.Contains("unsupported operators: NonMaxSuppression (2 nodes, first '/nms/NMS'), Loop (node 'loop_0')", output);
    }

    [Fact]
    public void Infer_OutputAndDump_MatchPyTorchLogits()
    {
        var outputPath = Path.Combine(_temp, "y.npy");
        var dump = Path.Combine(_temp, "acts");
        var (exit, _, error) = CliHarness.Run("infer", DigitsModel, "--input", DigitsInput, "--output", outputPath, "--dump", dump,
            "--layers", "/pool/MaxPool_output_0,logits");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        var expected = NpyFile.Read(CliHarness.Golden("digits_cnn", "output.npy")).ToFloat32();
        Assert.True(CliHarness.RelativeError(expected, NpyFile.Read(outputPath).ToFloat32()) <= 1e-4);
        var index = LayerDump.ReadIndex(dump);
        Assert.Equal("pool_MaxPool_output_0.npy", index["/pool/MaxPool_output_0"]);
        Assert.Equal("logits.npy", index["logits"]);
        Assert.True(CliHarness.RelativeError(expected, NpyFile.Read(Path.Combine(dump, index["logits"])).ToFloat32()) <= 1e-4);
        var goldenIndex = LayerDump.ReadIndex(CliHarness.Golden("digits_cnn", "activations"));
        var pool = NpyFile.Read(CliHarness.Golden("digits_cnn", "activations", goldenIndex["/pool/MaxPool_output_0"]));
        var actualPool = NpyFile.Read(Path.Combine(dump, index["/pool/MaxPool_output_0"]));
        Assert.Equal(pool.Shape, actualPool.Shape);
        Assert.True(CliHarness.RelativeError(pool.ToFloat32(), actualPool.ToFloat32()) <= 1e-4);
        // Only the dump folder and the output file remain: no temporary siblings.
        Assert.Equal(["acts", "y.npy"], Directory.EnumerateFileSystemEntries(_temp).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Grad_InputAndLayer_MatchPyTorchGradients()
    {
        var dump = Path.Combine(_temp, "grads");
        var (exit, _, error) = CliHarness.Run("grad", DigitsModel, "--input", DigitsInput, "--target", DigitsTarget,
            "--layers", "input", "--layers", "/relu2/Relu_output_0", "--dump", dump);
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        var index = LayerDump.ReadIndex(dump);
        var golden = LayerDump.ReadIndex(CliHarness.Golden("digits_cnn", "gradients"));
        foreach (var layer in new[] { "input", "/relu2/Relu_output_0" })
        {
            var expected = NpyFile.Read(CliHarness.Golden("digits_cnn", "gradients", golden[layer])).ToFloat32();
            var actual = NpyFile.Read(Path.Combine(dump, index[layer])).ToFloat32();
            Assert.True(CliHarness.RelativeError(expected, actual) <= 1e-3, layer);
        }
    }

    [Fact]
    public void Grad_OneUnknownLayerAmongSeveral_WritesNothing()
    {
        var dump = Path.Combine(_temp, "g");
        var (exit, _, _) = CliHarness.Run("grad", DigitsModel, "--input", DigitsInput, "--target", DigitsTarget,
            "--layers", "/relu1/Relu_output_0,relu1_Relu_output_0", "--dump", dump);
        // The second name does not exist, so nothing is written.
        Assert.Equal(3, exit);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp));
    }

    [Fact]
    public void InspectAndInfer_DynamicBatchModel_ShapesFollowBatch()
    {
        var model = CliHarness.OnnxFixture(Path.Combine("dynamic", "dynamic_cnn_opset13.onnx"));
        var (exit, output, _) = CliHarness.Run("inspect", model, "--batch-size", "5");
        Assert.Equal(0, exit);
        Assert.Contains("  input  float32 [N,3,8,8]", output);
        Assert.Contains("  /Reshape  Reshape  -> /Reshape_output_0[5,48]", output);
        Assert.Contains("  /Concat  Concat  -> /Concat_output_0[2] (const)", output);

        var arrays = NpzFile.Read(CliHarness.OnnxFixture(Path.Combine("dynamic", "dynamic_cnn_b3.npz")));
        var input = Path.Combine(_temp, "x.npy");
        var result = Path.Combine(_temp, "y.npy");
        NpyFile.Write(input, arrays["x"]);
        Assert.Equal(0, CliHarness.Run("infer", model, "--input", input, "--output", result).Exit);
        Assert.True(CliHarness.RelativeError(arrays["y0"].ToFloat32(), NpyFile.Read(result).ToFloat32()) <= 1e-4);
    }

    [Fact]
    public void Inspect_BatchSizeZero_UsageErrorExit3()
    {
        var (exit, _, error) = CliHarness.Run("inspect", DigitsModel, "--batch-size", "0");
        Assert.Equal(3, exit);
        Assert.Equal("error: --batch-size must be at least 1, got 0" + Environment.NewLine, error);
    }
}
