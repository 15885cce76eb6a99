using System.Text.Json;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Cli.Tests;

/// <summary>The attribute and analyze commands, end to end in-process.</summary>
public sealed class AnalysisCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ma-analysis-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Digits(string file) => CliHarness.Golden("digits_cnn", file);

    [Fact]
    public void Attribute_ConductanceOnDigits_WritesGoldenValuesIndexAndSummary()
    {
        var dump = Path.Combine(_dir, "cond");
        var (exit, _, error) = CliHarness.Run("attribute", Digits("model.onnx"), "--input", Digits("input.npy"), "--target", Digits("target.npy"),
            "--method", "conductance", "--steps", "20", "--internal-batch-size", "100", "--layers", "/relu2/Relu_output_0", "--dump", dump);
        Assert.Equal("", error);
        Assert.Equal(0, exit);

        // The torch golden for the same settings (tests/fixtures/digits_cnn/attributions), 1e-4 relative.
        var index = LayerDump.ReadIndex(dump);
        var actual = NpyFile.Read(Path.Combine(dump, index["/relu2/Relu_output_0"])).ToFloat32();
        var expected = NpyFile.Read(Digits(Path.Combine("attributions", "conductance_gausslegendre_20_L1__relu2_Relu_output_0.npy"))).ToFloat32();
        Assert.True(CliHarness.RelativeError(expected, actual) <= 1e-4);

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dump, LayerDump.SummaryFileName)));
        var deltas = summary.RootElement.GetProperty("layers").GetProperty("/relu2/Relu_output_0").GetProperty("convergence_delta");
        Assert.Equal(64, deltas.GetArrayLength());
    }

    [Fact]
    public void Attribute_TwoTargetOptions_ExitsThreeAndWritesNothing()
    {
        var dump = Path.Combine(_dir, "none");
        var (exit, _, error) = CliHarness.Run("attribute", Digits("model.onnx"), "--input", Digits("input.npy"), "--target", "predicted",
            "--target-class", "3", "--method", "gradient-x-activation", "--layers", "/relu1/Relu_output_0", "--dump", dump);
        Assert.Equal(3, exit);
        Assert.StartsWith("error: give exactly one of --target", error);
        Assert.False(Directory.Exists(dump));
    }

    [Fact]
    public void Attribute_UnknownLayer_ExitsThreeNamingIt()
    {
        var (exit, _, error) = CliHarness.Run("attribute", Digits("model.onnx"), "--input", Digits("input.npy"), "--target", "predicted",
            "--method", "conductance", "--layers", "/relu9/Relu_output_0", "--dump", Path.Combine(_dir, "x"));
        Assert.Equal(3, exit);
        Assert.Contains("/relu9/Relu_output_0", error);
    }

    [Fact]
    public void Analyze_SameInputsTwice_WritesIdenticalJson()
    {
        string[] Args(string json) => ["analyze", Digits("model.onnx"), "--input", Digits("input.npy"), "--labels", Digits("labels.npy"), "--steps", "8", "--json", json];
        var first = Path.Combine(_dir, "a.json");
        var second = Path.Combine(_dir, "b.json");
        Assert.Equal(0, CliHarness.Run(Args(first)).Exit);
        Assert.Equal(0, CliHarness.Run(Args(second)).Exit);
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));

        using var doc = JsonDocument.Parse(File.ReadAllText(first));
        var layers = doc.RootElement.GetProperty("layers");
        // Default layers: the three Relu outputs, then the logits. Conductance shares sum to 1 (identity).
        Assert.Equal(["/relu1/Relu_output_0", "/relu2/Relu_output_0", "/relu3/Relu_output_0", "logits"],
            layers.EnumerateArray().Select(l => l.GetProperty("layer").GetString()));
        Assert.Equal(1.0, layers.EnumerateArray().Sum(l => l.GetProperty("conductance_share").GetDouble()), 12);
        // I(T;Y) <= H(Y) <= log2 10 for ten classes.
        Assert.All(layers.EnumerateArray(), l => Assert.InRange(l.GetProperty("i_ty").GetProperty("value").GetDouble(), 0, Math.Log2(10)));
    }
}
