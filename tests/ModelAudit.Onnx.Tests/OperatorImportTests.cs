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
        Assert.Equal(arrays.Count - 1, outputs.Count);
        for (int i = 0; i < outputs.Count; i++)
        {
            var expected = arrays[$"y{i}"];
            Assert.Equal(expected.Shape, outputs[i].Value.Shape.ToArray());
            TensorAssert.AssertClose(expected.ToFloat32(), outputs[i].Value.Span, relTol: 1e-5, $"{name} output {i}");
        }
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
