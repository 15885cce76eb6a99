using ModelAudit.Tensors.Io;

namespace ModelAudit.Onnx.Tests;

/// <summary>
/// One tiny model per operator form (fixtures/make_op_fixtures.py): the imported graph's outputs against
/// torch.nn.functional on the same input.
/// </summary>
public sealed class OperatorImportTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var name in CaseNames()) data.Add(name);
        return data;
    }

    private static IEnumerable<string> CaseNames()
        => Directory.GetFiles(Path.GetDirectoryName(TestPaths.Fixture("x"))!, "*.npz")
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .Order(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Run_OperatorFixture_MatchesTorchWithin1em5(string name)
    {
        var arrays = NpzFile.Read(TestPaths.Fixture(name + ".npz"));
        var session = new OnnxSession(OnnxModel.Load(TestPaths.Fixture(name + ".onnx")));
        var outputs = session.Run(arrays["x"].ToTensor(), []);
        Assert.Equal(arrays.Keys.Count(k => k.StartsWith('y')), outputs.Count);
        for (int i = 0; i < outputs.Count; i++)
        {
            var expected = arrays[$"y{i}"];
            Assert.Equal(expected.Shape, outputs[i].Value.Shape.ToArray());
            TensorAssert.AssertClose(expected.ToFloat32(), outputs[i].Value.Span, relTol: 1e-5, $"{name} output {i}");
        }
    }

    public static TheoryData<string> GradientCases()
    {
        var data = new TheoryData<string>();
        foreach (var name in CaseNames())
            if (NpzFile.Read(TestPaths.Fixture(name + ".npz")).ContainsKey("g")) data.Add(name);
        return data;
    }

    // The VJP of the imported graph for the cotangent r on y0, against torch autograd (g in the .npz).
    // 1e-4 relative: the engine and torch differ only in float32 summation order.
    [Theory]
    [MemberData(nameof(GradientCases))]
    public void Backward_OperatorFixture_MatchesTorchAutogradWithin1em4(string name)
    {
        var arrays = NpzFile.Read(TestPaths.Fixture(name + ".npz"));
        var session = new OnnxSession(OnnxModel.Load(TestPaths.Fixture(name + ".onnx")));
        using var dx = Vjp(session, arrays["x"].ToTensor(), arrays["r"].ToTensor());
        TensorAssert.AssertClose(arrays["g"].ToFloat32(), dx.Span, relTol: 1e-4, $"{name} dL/dx");
    }

    // Central differences of L = sum(y0 * r) in float32 (step 1e-2), against the engine's VJP; 2e-2
    // relative covers the O(h^2) truncation and float32 rounding of L.
    [Theory]
    [MemberData(nameof(GradientCases))]
    public void Backward_OperatorFixture_MatchesFiniteDifferences(string name)
    {
        var arrays = NpzFile.Read(TestPaths.Fixture(name + ".npz"));
        var session = new OnnxSession(OnnxModel.Load(TestPaths.Fixture(name + ".onnx")));
        var x = arrays["x"].ToTensor();
        var r = arrays["r"].ToFloat32();
        using var dx = Vjp(session, x, arrays["r"].ToTensor());
        double Loss()
        {
            var y = session.Run(x, [])[0].Value;
            double sum = 0;
            for (int i = 0; i < r.Length; i++) sum += (double)y.Span[i] * r[i];
            y.Dispose();
            return sum;
        }
        const double step = 1e-2;
        var numeric = new float[x.Shape.ElementCount];
        for (int i = 0; i < numeric.Length; i++)
        {
            float original = x.Span[i];
            x.Span[i] = (float)(original + step);
            double plus = Loss();
            x.Span[i] = (float)(original - step);
            double minus = Loss();
            x.Span[i] = original;
            numeric[i] = (float)((plus - minus) / ((double)(float)(original + step) - (float)(original - step)));
        }
        TensorAssert.AssertClose(numeric, dx.Span, relTol: 2e-2, $"{name} finite differences");
    }

    private static Tensors.Tensor Vjp(OnnxSession session, Tensors.Tensor x, Tensors.Tensor r)
    {
        var graph = session.GraphFor(x.Shape);
        int input = graph.Inputs[0];
        using var pass = session.ExecutorFor(graph).Forward(new Dictionary<int, Tensors.Tensor> { [input] = x }, new Tensors.Graph.ForwardOptions { RecordForBackward = true });
        using var gradients = pass.Backward(new Dictionary<int, Tensors.Tensor> { [graph.Outputs[0]] = r }, [input]);
        return gradients[input].Clone();
    }

    [Fact]
    public void OperatorFixtures_CoverEveryOpsetSensitiveForm()
    {
        var names = CaseNames().ToHashSet();
        foreach (var required in new[]
                 {
                     "clip_opset9_attrs", "clip_opset13_inputs", "slice_opset9_attrs", "slice_opset13_negative_step",
                     "pad_opset9_reflect", "pad_opset11_constant_value", "squeeze_opset11_attr", "squeeze_opset13_input",
                     "softmax_opset11_coerced", "softmax_opset13_default_axis", "split_opset11_attr", "split_opset13_input", "external_data",
                     "slice_opset11_inputs", "squeeze_opset9_attr", "softmax_opset9_axis2_coerced", "clip_opset11_max_only",
                     "conv_same_upper", "conv_same_lower_opset11", "maxpool_same_upper_opset9", "avgpool_valid_opset11",
                 })
            Assert.Contains(required, names);
    }
}
