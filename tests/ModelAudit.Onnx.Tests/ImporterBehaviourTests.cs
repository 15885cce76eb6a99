using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Onnx.Tests;

public sealed class ImporterBehaviourTests
{
    [Fact]
    public void Load_UnsupportedOperators_OneErrorListingEachOpWithANodeAndTheOpset()
    {
        var path = TestPaths.Fixture("error_unsupported_ops.onnx");
        var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(path));
        Assert.Equal($"{path}: unsupported operators at opset 13: NonMaxSuppression (2 nodes, first '/nms/NMS'), Loop (node 'loop_0')", e.Message);
    }

    [Fact]
    public void Load_Opset21_ErrorNamesSupportedRange()
    {
        var path = TestPaths.Fixture("error_opset21.onnx");
        var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(path));
        Assert.Contains("opset 21 is not supported (supported: ai.onnx 9 to 20)", e.Message);
    }

    [Theory]
    [InlineData("error_maxpool_indices", "node 'pool' (MaxPool): the Indices output 'idx' is not supported")]
    [InlineData("error_runtime_integer", "node 'to_int' (Cast): casting runtime value 'x' to Int64 would need a runtime integer tensor")]
    [InlineData("error_conv1d", "node 'conv1d' (Conv): weight shape [2,3,4] does not match the rank-4 input [1,3,4,4]")]
    [InlineData("error_scatternd_index", "node 'scatter' (ScatterND): index 4 at indices[1][0] is out of range for dimension 0 of size 4")]
    [InlineData("error_mod_runtime", "node 'mod' (Mod): input 0 'x' must be known when the graph is built")]
    public void BuildGraph_UnsupportedForm_ErrorNamesNode(string name, string message)
    {
        var path = TestPaths.Fixture(name + ".onnx");
        var model = OnnxModel.Load(path);
        var e = Assert.Throws<OnnxModelException>(() => model.BuildGraph(1));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void BuildGraph_ShapeGatherUnsqueezeConcatReshape_FoldsToOneReshape()
    {
        var model = OnnxModel.Load(TestPaths.Fixture("fold_shape_gather_unsqueeze_concat_reshape.onnx"));
        var graph = model.BuildGraph(new Dictionary<string, int[]> { ["x"] = [3, 2, 4] });
        var node = Assert.Single(graph.Nodes);
        Assert.IsType<Reshape>(node.Operation);
        Assert.Equal([3, 8], graph.Values[node.Outputs[0]].Shape.ToArray());
        // No integer value reaches the runtime graph: only the input and the reshape output exist.
        Assert.Equal(2, graph.Values.Count);
    }

    [Fact]
    public void BuildGraph_EqualWhereExpandOnShapes_FoldsToAddAndReshape()
    {
        var model = OnnxModel.Load(TestPaths.Fixture("fold_equal_where_expand_shape_start.onnx"));
        var graph = model.BuildGraph(new Dictionary<string, int[]> { ["x"] = [2, 3, 4] });
        Assert.Equal(["Add", "Reshape"], graph.Nodes.Select(n => n.Operation.Kind));
        // The expanded constant is a [2,3,4] constant (not a parameter: it is computed, not an initializer).
        var expanded = graph.Values[graph["c_full"]];
        Assert.Equal((ValueKind.Constant, 24), (expanded.Kind, expanded.Shape.ElementCount));
        Assert.Equal([6, 4], graph.Values[graph.Outputs[0]].Shape.ToArray());
    }

    [Fact]
    public void BuildGraph_SameShapeTwice_ReturnsCachedGraph()
    {
        var model = OnnxModel.Load(TestPaths.Golden("iris_mlp", "model.onnx"));
        var first = model.BuildGraph(new Dictionary<string, int[]> { ["input"] = [30, 4] });
        var second = model.BuildGraph(new Dictionary<string, int[]> { ["input"] = [30, 4] });
        Assert.Same(first, second);
    }

    [Fact]
    public void BuildGraph_WrongInputShape_ErrorNamesInputAndDeclaredShape()
    {
        var model = OnnxModel.Load(TestPaths.Golden("iris_mlp", "model.onnx"));
        var e = Assert.Throws<OnnxModelException>(() => model.BuildGraph(new Dictionary<string, int[]> { ["input"] = [30, 5] }));
        Assert.Contains("expected input of rank 2 for 'input' [30,4], got [30,5]", e.Message);
    }

    [Fact]
    public void BuildGraph_FloatInitializers_BecomeParametersNamedAfterOnnxTensors()
    {
        var model = OnnxModel.Load(TestPaths.Golden("digits_cnn", "model.onnx"));
        var graph = model.BuildGraph(1 + 63);
        var parameters = graph.Values.Where(v => v.Kind == ValueKind.Parameter).ToList();
        // conv1 (8x1x3x3 + 8), conv2 (16x8x3x3 + 16), fc1 (32x256 + 32), bn (4 x 32), fc2 (10x32 + 10).
        Assert.Equal(80 + 1168 + 8224 + 128 + 330, parameters.Sum(p => p.Shape.ElementCount));
        Assert.All(parameters, p => Assert.True(model.Initializers.ContainsKey(p.Name)));
    }

    [Fact]
    public void Summarize_DigitsCnn_ShapesAndParameterCountsPerNode()
    {
        var model = OnnxModel.Load(TestPaths.Golden("digits_cnn", "model.onnx"));
        var nodes = model.Summarize(64);
        Assert.Equal(10, nodes.Count);
        var fc1 = Assert.Single(nodes, n => n.Name == "/fc1/Gemm");
        Assert.Equal(256 * 32 + 32, fc1.ParameterCount);
        Assert.Equal([64, 32], Assert.Single(fc1.Outputs).Shape);
        Assert.Equal([64, 8, 4, 4], nodes.Single(n => n.OpType == "MaxPool").Outputs[0].Shape);
    }

    [Fact]
    public void ResolveLayer_UnknownName_ListsCloseMatches()
    {
        var session = new OnnxSession(OnnxModel.Load(TestPaths.Golden("digits_cnn", "model.onnx")));
        var graph = session.GraphFor(new Tensors.TensorShape(64, 1, 8, 8));
        var e = Assert.Throws<ModelInputException>(() => session.ResolveLayer(graph, "/relu2/Relu_output"));
        Assert.StartsWith("unknown layer '/relu2/Relu_output'; closest: /relu2/Relu_output_0", e.Message);
    }

    [Fact]
    public void Load_ExternalDataMissing_ErrorNamesTensorAndFile()
    {
        var dir = Directory.CreateTempSubdirectory("onnx-ext").FullName;
        try
        {
            var copy = Path.Combine(dir, "m.onnx");
            File.Copy(TestPaths.Fixture("external_data.onnx"), copy);
            var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(copy));
            Assert.Contains($"{copy}: tensor 'w': external data file", e.Message);
            Assert.Contains("external_data.bin' not found", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Load_NotAnOnnxFile_ErrorNamesFile()
    {
        var path = TestPaths.Golden("digits_cnn", "input.npy");
        var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(path));
        Assert.StartsWith(path + ": ", e.Message);
    }

    [Fact]
    public void Run_OutputIsIdentityAlias_KeyedByOnnxOutputNameAndLayerByEitherName()
    {
        var session = new OnnxSession(OnnxModel.Load(TestPaths.Fixture("identity_as_output.onnx")));
        var x = Tensors.Tensor.FromArray([-1f, 2f, -3f, 4f, 0.5f, -0.5f], 2, 3);
        var outputs = session.Run(x, []);
        Assert.Equal("y0", Assert.Single(outputs).Key);
        Assert.Equal(new[] { 0f, 2f, 0f, 4f, 0.5f, 0f }, outputs[0].Value.ToArray());
        var graph = session.GraphFor(x.Shape);
        Assert.Equal(session.ResolveLayer(graph, "r"), session.ResolveLayer(graph, "y0"));
    }

    [Fact]
    public void Gradients_LogitsAndLastBias_AreOneHotAndTargetCounts()
    {
        // S = sum_i logits[i, t_i] and logits = h W^T + b, so dS/dlogits is one-hot and dS/db[c] = #{i : t_i = c}.
        var session = new OnnxSession(OnnxModel.Load(TestPaths.Golden("digits_cnn", "model.onnx")));
        var input = Tensors.Io.NpyFile.Read(TestPaths.Golden("digits_cnn", "input.npy")).ToTensor();
        var targets = Tensors.Io.NpyFile.Read(TestPaths.Golden("digits_cnn", "target.npy")).ToInt64();
        var gradients = session.Gradients(input, targets, ["logits", "fc2.bias"]);
        var logits = gradients[0].Value.ToArray();
        for (int i = 0; i < targets.Length; i++)
            for (int c = 0; c < 10; c++)
                Assert.Equal(c == targets[i] ? 1f : 0f, logits[i * 10 + c]);
        var counts = new float[10];
        foreach (var t in targets) counts[t]++;
        Assert.Equal(counts, gradients[1].Value.ToArray());
    }

    [Fact]
    public void Gradients_ConstantOrBadTargets_ErrorsNameTheProblem()
    {
        var session = new OnnxSession(OnnxModel.Load(TestPaths.Golden("iris_mlp", "model.onnx")));
        var input = Tensors.Io.NpyFile.Read(TestPaths.Golden("iris_mlp", "input.npy")).ToTensor();
        var e = Assert.Throws<ModelInputException>(() => session.Gradients(input, new long[29], ["input"]));
        Assert.Equal("targets: expected 30 targets (one per sample), got 29", e.Message);
        var targets = new long[30];
        targets[3] = -1;
        e = Assert.Throws<ModelInputException>(() => session.Gradients(input, targets, ["input"]));
        Assert.Equal("targets: target -1 of sample 3 is outside [0, 3)", e.Message);
    }
}
