using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Onnx.Tests;

/// <summary>
/// A torch.onnx export with a dynamic batch axis (fixtures/dynamic/make_dynamic_fixtures.py): its shape
/// arithmetic folds at build time, one graph per batch size, outputs equal the torch module's.
/// </summary>
public sealed class DynamicBatchTests
{
    private static string Path(string name) => TestPaths.Fixture(System.IO.Path.Combine("dynamic", name));

    [Theory]
    [InlineData(11, 3)]
    [InlineData(11, 5)]
    [InlineData(13, 3)]
    [InlineData(13, 5)]
    public void Run_DynamicBatchExport_MatchesTorchWithin1em4(int opset, int batch)
    {
        var model = OnnxModel.Load(Path($"dynamic_cnn_opset{opset}.onnx"));
        Assert.Null(model.Inputs[0].Dims![0]);
        var arrays = NpzFile.Read(Path($"dynamic_cnn_b{batch}.npz"));
        var outputs = new OnnxSession(model).Run(arrays["x"].ToTensor(), []);
        Assert.Equal([batch, 5], outputs[0].Value.Shape.ToArray());
        TensorAssert.AssertClose(arrays["y0"].ToFloat32(), outputs[0].Value.Span, relTol: 1e-4, $"opset {opset} batch {batch}");
    }

    [Fact]
    public void BuildGraph_DynamicBatch_OneFloatOnlyGraphPerBatchSize()
    {
        var model = OnnxModel.Load(Path("dynamic_cnn_opset13.onnx"));
        var three = model.BuildGraph(3);
        var five = model.BuildGraph(5);
        Assert.NotSame(three, five);
        Assert.Same(three, model.BuildGraph(3));
        // Shape, Gather, Unsqueeze, Concat, Cast and Div on shapes are gone; only float operations remain.
        Assert.Equal(["Conv2d", "Relu", "MaxPool2d", "Slice", "Reshape", "Gemm", "Mul", "Div"], three.Nodes.Select(n => n.Operation.Kind));
        Assert.Equal([5, 48], five.Values[five["/Reshape_output_0"]].Shape.ToArray());
        Assert.DoesNotContain(three.Values, v => v.Kind == ValueKind.Input && v.Name != "input");
    }
}
