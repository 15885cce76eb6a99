using System.Text.Json;
using ModelAudit.Tensors.Operations;
using ModelAudit.Tensors.Tests.TestSupport;

namespace ModelAudit.Tensors.Tests.Operations;

/// <summary>Forward outputs and gradients against PyTorch 1.13 (goldens/make_op_goldens.py).</summary>
public class TorchGoldenTests
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "goldens", "op_goldens.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.Clone());
    });

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in Cases.Value.Keys) data.Add(name);
        return data;
    }

    private static Tensor ReadTensor(JsonElement e)
    {
        var shape = e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        var data = e.GetProperty("data").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        return Tensor.FromArray(data, shape);
    }

    private static int[] Ints(JsonElement attrs, string name) => attrs.GetProperty(name).EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static long[] Longs(JsonElement attrs, string name) => attrs.GetProperty(name).EnumerateArray().Select(v => v.GetInt64()).ToArray();

    private static float Float(JsonElement attrs, string name) => (float)attrs.GetProperty(name).GetDouble();

    private static bool Bool(JsonElement attrs, string name) => attrs.GetProperty(name).GetBoolean();

    private static T Enum<T>(JsonElement attrs, string name) where T : struct, Enum => System.Enum.Parse<T>(attrs.GetProperty(name).GetString()!);

    private static Operation Build(string op, JsonElement a) => op switch
    {
        "Slice" => new Slice(Longs(a, "starts"), Longs(a, "ends"), Ints(a, "axes"), Longs(a, "steps")),
        "Pad" => new Pad(Longs(a, "pads"), Enum<PadMode>(a, "mode"), Float(a, "value")),
        "Softmax" => new Softmax(a.GetProperty("axis").GetInt32(), Bool(a, "coerceTo2D")),
        "LogSoftmax" => new LogSoftmax(a.GetProperty("axis").GetInt32(), Bool(a, "coerceTo2D")),
        "Unary" => new Unary(Enum<UnaryKind>(a, "kind"), Float(a, "alpha"), Float(a, "beta")),
        "BatchNormalization" => new BatchNormalization(Float(a, "epsilon")),
        "AveragePool2d" => new AveragePool2d(Ints(a, "kernel"), Ints(a, "strides"), Ints(a, "pads"), Bool(a, "ceilMode"), Bool(a, "countIncludePad")),
        "MaxPool2d" => new MaxPool2d(Ints(a, "kernel"), Ints(a, "strides"), Ints(a, "pads"), Ints(a, "dilations"), Bool(a, "ceilMode")),
        "Reduce" => new Reduce(Enum<ReduceKind>(a, "kind"), Ints(a, "axes"), Bool(a, "keepDims")),
        "MatMul" => new MatMul(),
        _ => throw new ArgumentException($"No builder for {op}."),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void ForwardAndBackward_MatchPyTorch(string name)
    {
        var c = Cases.Value[name];
        var op = Build(c.GetProperty("op").GetString()!, c.GetProperty("attrs"));
        var inputs = c.GetProperty("inputs").EnumerateArray().Select(ReadTensor).ToArray();
        var upstream = c.GetProperty("upstream").EnumerateArray().Select(ReadTensor).ToArray();
        var expectedOutputs = c.GetProperty("outputs").EnumerateArray().Select(ReadTensor).ToArray();
        var expectedGrads = c.GetProperty("grads").EnumerateArray().Select(g => g.ValueKind == JsonValueKind.Null ? null : ReadTensor(g)).ToArray();

        var outputs = GradientChecker.Run(op, inputs);
        Assert.Equal(expectedOutputs.Length, outputs.Length);
        for (int i = 0; i < outputs.Length; i++)
        {
            Assert.Equal(expectedOutputs[i].Shape.ToArray(), outputs[i].Shape.ToArray());
            TensorAssert.AssertClose(expectedOutputs[i].ToArray(), outputs[i], relTol: 1e-5, $"{name} output {i}");
        }
        var grads = op.Backward(inputs, outputs, upstream, expectedGrads.Select(g => g is not null).ToArray());
        for (int i = 0; i < inputs.Length; i++)
        {
            if (expectedGrads[i] is null) continue;
            Assert.Equal(inputs[i].Shape, grads[i]!.Shape);
            TensorAssert.AssertClose(expectedGrads[i]!.ToArray(), grads[i]!, relTol: 1e-5, $"{name} gradient {i}");
        }
    }
}
