using System.Text.Json;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Onnx.Tests;

/// <summary>Forward activations and gradients against PyTorch goldens (tests/fixtures, see its README).</summary>
public sealed class GoldenParityTests
{
    public static TheoryData<string> Models => ["iris_mlp", "digits_cnn", "resnet18_64", "mobilenet_v3_small_96", "iris_nif_mlp", "cancer_nif_mlp", "captum_toy",
        "layernorm_gelu_mlp", "convnext_tiny_32", "vit_b_16_32", "conv1d_classifier", "segmentation_toy", "conv3d_toy"];

    private static Dictionary<string, string> Index(string model, string kind)
        => JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(TestPaths.Golden(model, kind, "index.json")))!;

    [Theory]
    [MemberData(nameof(Models))]
    public void Run_EveryActivation_MatchesPyTorchWithin1em4(string model)
    {
        var session = new OnnxSession(OnnxModel.Load(TestPaths.Golden(model, "model.onnx")));
        var input = NpyFile.Read(TestPaths.Golden(model, "input.npy")).ToTensor();
        var index = Index(model, "activations");
        var layers = index.Keys.ToList();
        var actual = session.Run(input, layers);
        foreach (var (name, tensor) in actual)
        {
            var expected = NpyFile.Read(TestPaths.Golden(model, "activations", index[name]));
            Assert.Equal(expected.Shape, tensor.Shape.ToArray());
            TensorAssert.AssertClose(expected.ToFloat32(), tensor.Span, relTol: 1e-4, $"{model} activation '{name}'");
        }
        var output = session.Run(input, []);
        TensorAssert.AssertClose(NpyFile.Read(TestPaths.Golden(model, "output.npy")).ToFloat32(), output[0].Value.Span, relTol: 1e-4, $"{model} output");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Gradients_EveryListedTensor_MatchesPyTorchWithin1em3(string model)
    {
        var session = new OnnxSession(OnnxModel.Load(TestPaths.Golden(model, "model.onnx")));
        var input = NpyFile.Read(TestPaths.Golden(model, "input.npy")).ToTensor();
        var targets = NpyFile.Read(TestPaths.Golden(model, "target.npy")).ToInt64();
        var index = Index(model, "gradients");
        var actual = session.Gradients(input, targets, index.Keys.ToList());
        Assert.Contains(actual, p => p.Key == "input");
        foreach (var (name, tensor) in actual)
        {
            var expected = NpyFile.Read(TestPaths.Golden(model, "gradients", index[name]));
            Assert.Equal(expected.Shape, tensor.Shape.ToArray());
            TensorAssert.AssertClose(expected.ToFloat32(), tensor.Span, relTol: 1e-3, $"{model} gradient '{name}'");
        }
    }

    /// <summary>Text classifiers whose input is int64 token ids (Embedding -> LSTM / bidirectional GRU -> Linear).</summary>
    public static TheoryData<string> TokenModels => ["lstm_text", "bigru_text"];

    [Theory]
    [MemberData(nameof(TokenModels))]
    public void Run_TokenModel_EveryActivationMatchesPyTorchWithin1em4(string model)
    {
        var session = new OnnxSession(OnnxModel.Load(TestPaths.Golden(model, "model.onnx")));
        var input = session.InputFrom(NpyFile.Read(TestPaths.Golden(model, "input.npy")), "input.npy");
        var index = Index(model, "activations");
        foreach (var (name, tensor) in session.Run(input, index.Keys.ToList()))
        {
            var expected = NpyFile.Read(TestPaths.Golden(model, "activations", index[name]));
            Assert.Equal(expected.Shape, tensor.Shape.ToArray());
            TensorAssert.AssertClose(expected.ToFloat32(), tensor.Span, relTol: 1e-4, $"{model} activation '{name}'");
        }
        TensorAssert.AssertClose(NpyFile.Read(TestPaths.Golden(model, "output.npy")).ToFloat32(), session.Run(input, [])[0].Value.Span, relTol: 1e-4, $"{model} output");
    }

    // Token ids have no gradient; every float tensor from the embedding output on does (PyTorch autograd
    // through the ONNX graph with the weights as leaves).
    [Theory]
    [MemberData(nameof(TokenModels))]
    public void Gradients_TokenModel_EveryLayerFromEmbeddingMatchesPyTorchWithin1em3(string model)
    {
        var session = new OnnxSession(OnnxModel.Load(TestPaths.Golden(model, "model.onnx")));
        var input = session.InputFrom(NpyFile.Read(TestPaths.Golden(model, "input.npy")), "input.npy");
        var targets = NpyFile.Read(TestPaths.Golden(model, "target.npy")).ToInt64();
        var index = Index(model, "gradients");
        Assert.Contains("/embedding/Gather_output_0", index.Keys);
        foreach (var (name, tensor) in session.Gradients(input, targets, index.Keys.ToList()))
        {
            var expected = NpyFile.Read(TestPaths.Golden(model, "gradients", index[name]));
            Assert.Equal(expected.Shape, tensor.Shape.ToArray());
            TensorAssert.AssertClose(expected.ToFloat32(), tensor.Span, relTol: 1e-3, $"{model} gradient '{name}'");
        }
    }
}
