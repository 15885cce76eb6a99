using System.Text.Json;
using ModelAudit.Analysis.Attribution;
using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Analysis.Tests.Attribution;

/// <summary>
/// Conductance, integrated gradients and gradient x activation against the PyTorch goldens of
/// tests/fixtures (Captum's algorithms re-implemented in torch by tests/fixtures/captum_reference.py).
/// Tolerance: 1e-4 relative (max-abs error over max-abs value) for attributions; deltas to 1e-4 of the
/// attribution scale times sqrt(elements) (a sum of that many elements).
/// </summary>
public class AttributionParityTests
{
    private sealed record GoldenRecord(string Method, string? Integration, int? Steps, string Layer, string File, string? DeltaFile);

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var model in new[] { "iris_mlp", "digits_cnn", "resnet18_64", "captum_toy",
                     "layernorm_gelu_mlp", "convnext_tiny_32", "vit_b_16_32", "conv1d_classifier", "segmentation_toy", "conv3d_toy" })
        {
            var records = Records(model);
            for (int i = 0; i < records.Count; i++) data.Add(model, i);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compute_FixtureModel_MatchesTorchGolden(string model, int index)
    {
        var record = Records(model)[index];
        var dir = Path.Combine(RepositoryPaths.Fixtures, model);
        var adapter = new ModelExecution(new OnnxSession(OnnxModel.Load(Path.Combine(dir, "model.onnx"))));
        using var input = NpyFile.Read(Path.Combine(dir, "input.npy")).ToTensor();
        var targets = NpyFile.Read(Path.Combine(dir, "target.npy")).ToInt64();
        var options = record.Integration is null ? null
            : new PathIntegralOptions(IntegrationRule.ParseMethod(record.Integration), record.Steps!.Value, InternalBatchSize: 37);

        AttributionResult result = record.Method switch
        {
            "layer_conductance" => new LayerConductance(adapter, options!).Compute(input, targets, [0f], [record.Layer]),
            "integrated_gradients" => new IntegratedGradients(adapter, options!).Compute(input, targets, [0f]),
            "layer_gradient_x_activation" => new GradientXActivation(adapter).Compute(input, targets, [record.Layer]),
            _ => throw new InvalidOperationException(record.Method),
        };
        var layer = record.Method == "integrated_gradients" ? adapter.InputName : record.Layer;
        var actual = result.Layers[layer];
        var expected = NpyFile.Read(Path.Combine(dir, "attributions", record.File));

        Assert.Equal(expected.Shape, actual.Values.Shape.ToArray());
        var expectedValues = expected.ToFloat32();
        AssertClose(expectedValues, actual.Values.ToArray(), Tolerance(model, record), $"{model} {record.Method} {record.Integration} {record.Layer}");
        if (record.DeltaFile is not null)
        {
            var expectedDelta = NpyFile.Read(Path.Combine(dir, "attributions", record.DeltaFile)).ToFloat32();
            double scale = Math.Max(expectedValues.Max(MathF.Abs), 1e-6);
            for (int i = 0; i < expectedDelta.Length; i++)
                Assert.True(Math.Abs(expectedDelta[i] - actual.ConvergenceDelta[i]) <= Tolerance(model, record) * scale * Math.Sqrt(expectedValues.Length),
                    $"delta[{i}] {actual.ConvergenceDelta[i]} vs {expectedDelta[i]}");
        }
    }

    [Fact]
    public void Compute_OneSweepForAllLayers_EqualsOneLayerAtATime()
    {
        // The all-layers sweep must give each layer exactly what a sweep for that layer alone gives.
        var dir = Path.Combine(RepositoryPaths.Fixtures, "digits_cnn");
        var adapter = new ModelExecution(new OnnxSession(OnnxModel.Load(Path.Combine(dir, "model.onnx"))));
        using var input = NpyFile.Read(Path.Combine(dir, "input.npy")).ToTensor();
        var targets = NpyFile.Read(Path.Combine(dir, "target.npy")).ToInt64();
        string[] layers = ["/relu1/Relu_output_0", "/relu2/Relu_output_0", "/relu3/Relu_output_0"];
        var conductance = new LayerConductance(adapter, new PathIntegralOptions(Steps: 8, InternalBatchSize: 100));
        var together = conductance.Compute(input, targets, [0f], layers);
        foreach (var layer in layers)
        {
            var alone = conductance.Compute(input, targets, [0f], [layer]);
            Assert.Equal(alone.Layers[layer].Values.ToArray(), together.Layers[layer].Values.ToArray());
        }
    }

    [Fact]
    public void Compute_CaptumToyModel_ReproducesCaptumPublishedNumbers()
    {
        // Captum's test_layer_conductance: ReLU layer ~[90,100,100,100], lin2 [390,0] (n_steps 500, delta < 0.01).
        var dir = Path.Combine(RepositoryPaths.Fixtures, "captum_toy");
        var adapter = new ModelExecution(new OnnxSession(OnnxModel.Load(Path.Combine(dir, "model.onnx"))));
        using var input = Tensor.FromArray([0f, 100f, 0f], 1, 3);
        var result = new LayerConductance(adapter, new PathIntegralOptions(Steps: 500)).Compute(input, [0L], [0f], ["/relu/Relu_output_0", "logits"]);
        AssertClose([90f, 100f, 100f, 100f], result.Layers["/relu/Relu_output_0"].Values.ToArray(), 1e-3, "relu");
        AssertClose([390f, 0f], result.Layers["logits"].Values.ToArray(), 1e-4, "logits");
        Assert.True(result.Layers["/relu/Relu_output_0"].MaxAbsDelta < 0.01f);
        var gxa = new GradientXActivation(adapter).Compute(input, [0L], ["/linear1/Gemm_output_0"]);
        AssertClose([90f, 101f, 101f, 101f], gxa.Layers["/linear1/Gemm_output_0"].Values.ToArray(), 1e-6, "gxa");
    }

    /// <summary>
    /// 1e-4 relative, except one measured kink: in resnet18_64 at Gauss-Legendre point 3 (alpha 0.0735) one
    /// input of /layer2/layer2.1/relu is 6.7e-8 here and -1.7e-7 in torch (3.7e-8 of the layer's scale, float
    /// rounding), so that ReLU passes the gradient in one and blocks it in the other. That moves integrated
    /// gradients by 2.4e-3 of their scale; every other point agrees to 1e-6.
    /// </summary>
    private static double Tolerance(string model, GoldenRecord record)
        => model == "resnet18_64" && record.Method == "integrated_gradients" && record.Integration == "gausslegendre" ? 5e-3 : 1e-4;

    private static List<GoldenRecord> Records(string model)
    {
        var path = Path.Combine(RepositoryPaths.Fixtures, model, "attributions", "index.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return [.. doc.RootElement.EnumerateArray().Select(e => new GoldenRecord(
            e.GetProperty("method").GetString()!,
            e.GetProperty("integration").ValueKind == JsonValueKind.Null ? null : e.GetProperty("integration").GetString(),
            e.GetProperty("n_steps").ValueKind == JsonValueKind.Null ? null : e.GetProperty("n_steps").GetInt32(),
            e.GetProperty("layer").GetString()!,
            e.GetProperty("file").GetString()!,
            e.TryGetProperty("delta_file", out var d) ? d.GetString() : null))];
    }

    internal static void AssertClose(float[] expected, float[] actual, double relTol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0, error = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            error = Math.Max(error, Math.Abs(expected[i] - actual[i]));
        }
        Assert.True(error <= relTol * Math.Max(scale, 1e-12), $"{what}: max-abs error {error:G4} over max-abs value {scale:G4} exceeds {relTol:G2} relative");
    }

    public static TheoryData<string, int> TokenCases()
    {
        var data = new TheoryData<string, int>();
        foreach (var model in new[] { "lstm_text", "bigru_text" })
        {
            var records = Records(model);
            for (int i = 0; i < records.Count; i++) data.Add(model, i);
        }
        return data;
    }

    // Recurrent text classifiers attributed from the embedding output (token ids cannot be interpolated),
    // against captum_reference.layer_conductance_from (baseline: the embedding of ids 0). 1e-4 relative,
    // as the other conductance goldens.
    [Theory]
    [MemberData(nameof(TokenCases))]
    public void Conductance_TokenModelFromEmbedding_MatchesTorchGolden(string model, int index)
    {
        var record = Records(model)[index];
        var dir = Path.Combine(RepositoryPaths.Fixtures, model);
        var session = new OnnxSession(OnnxModel.Load(Path.Combine(dir, "model.onnx")));
        using var input = session.InputFrom(NpyFile.Read(Path.Combine(dir, "input.npy")), "input.npy");
        var adapter = ModelExecution.ForData(session, input);
        var targets = NpyFile.Read(Path.Combine(dir, "target.npy")).ToInt64();
        var options = new PathIntegralOptions(IntegrationRule.ParseMethod(record.Integration!), record.Steps!.Value, InternalBatchSize: 37,
            FromLayer: "/embedding/Gather_output_0");
        var result = new LayerConductance(adapter, options).Compute(input, targets, [0f], [record.Layer]);
        var expected = NpyFile.Read(Path.Combine(dir, "attributions", record.File));
        Assert.Equal(expected.Shape, result.Layers[record.Layer].Values.Shape.ToArray());
        AssertClose(expected.ToFloat32(), result.Layers[record.Layer].Values.ToArray(), 1e-4, $"{model} conductance from the embedding {record.Layer}");
    }
}
