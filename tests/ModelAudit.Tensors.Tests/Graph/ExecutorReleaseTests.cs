using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Operations;
using ModelAudit.Tensors.Tests.TestSupport;

namespace ModelAudit.Tensors.Tests.Graph;

/// <summary>
/// Every operation run inside the executor, with its inputs produced by Identity nodes (so the executor
/// owns them and releases whatever the operation says its backward does not read). The gradients must
/// be bit-identical to calling the operation directly: an operation that reads a released input would
/// throw instead.
/// </summary>
public class ExecutorReleaseTests
{
    private sealed record Case(Operation Op, Tensor[] Inputs, bool[] Differentiate);

    private static Tensor U(int seed, params int[] dims) => RandomTensors.Uniform(seed, 0.5f, 1.5f, dims);

    private static readonly Dictionary<string, Func<Case>> Cases = new()
    {
        ["Conv2d"] = () => new(new Conv2d([1, 1], [1, 1, 1, 1], [1, 1], 1), [U(1, 1, 2, 5, 5), U(2, 3, 2, 3, 3), U(3, 3)], [true, true, true]),
        ["Gemm"] = () => new(new Gemm(false, true, 1f, 1f), [U(1, 3, 4), U(2, 2, 4), U(3, 2)], [true, true, true]),
        ["MatMul"] = () => new(new MatMul(), [U(1, 2, 3, 4), U(2, 4, 2)], [true, true]),
        ["Add"] = () => new(new Binary(BinaryKind.Add), [U(1, 2, 3), U(2, 3)], [true, true]),
        ["Sub"] = () => new(new Binary(BinaryKind.Sub), [U(1, 2, 3), U(2, 3)], [true, true]),
        ["Mul"] = () => new(new Binary(BinaryKind.Mul), [U(1, 2, 3), U(2, 3)], [true, true]),
        ["Div"] = () => new(new Binary(BinaryKind.Div), [U(1, 2, 3), U(2, 3)], [true, true]),
        ["Pow"] = () => new(new Binary(BinaryKind.Pow), [U(1, 2, 3), U(2, 3)], [true, true]),
        ["Max"] = () => new(new Binary(BinaryKind.Max), [U(1, 2, 3), U(2, 3)], [true, true]),
        ["Clip"] = () => new(new Clip(0.7f, 1.2f), [U(1, 2, 3)], [true]),
        ["MaxPool2d"] = () => new(new MaxPool2d([2, 2], [1, 1], [0, 0, 0, 0], [1, 1], false), [U(1, 1, 2, 4, 4)], [true]),
        ["AveragePool2d"] = () => new(new AveragePool2d([2, 2], [2, 2], [1, 1, 1, 1], true, false), [U(1, 1, 2, 5, 5)], [true]),
        ["GlobalAveragePool"] = () => new(new GlobalAveragePool(), [U(1, 2, 3, 2, 2)], [true]),
        ["BatchNormalization"] = () => new(new BatchNormalization(1e-5f), [U(1, 2, 3, 2, 2), U(2, 3), U(3, 3), U(4, 3), U(5, 3)], [true, true, true, false, false]),
        ["Reshape"] = () => new(new Reshape([6, 2]), [U(1, 3, 4)], [true]),
        ["Transpose"] = () => new(new Transpose([1, 0]), [U(1, 3, 4)], [true]),
        ["Concat"] = () => new(new Concat(1), [U(1, 2, 1), U(2, 2, 3), U(3, 2, 2)], [true, true, true]),
        ["Slice"] = () => new(new Slice([-1], [0], [1], [-1]), [U(1, 2, 4)], [true]),
        ["Split"] = () => new(new Split(1, [1, 3]), [U(1, 2, 4)], [true]),
        ["Pad"] = () => new(new Pad([1, 0, 0, 2], PadMode.Reflect, 0f), [U(1, 3, 4)], [true]),
        ["ReduceMean"] = () => new(new Reduce(ReduceKind.Mean, [1], true), [U(1, 3, 4)], [true]),
        ["ReduceSum"] = () => new(new Reduce(ReduceKind.Sum, [], false), [U(1, 3, 4)], [true]),
        ["ReduceMax"] = () => new(new Reduce(ReduceKind.Max, [0], false), [U(1, 3, 4)], [true]),
        ["Softmax"] = () => new(new Softmax(-1, false), [U(1, 3, 4)], [true]),
        ["LogSoftmax"] = () => new(new LogSoftmax(1, true), [U(1, 2, 3, 4)], [true]),
        ["Gather"] = () => new(new Gather(0, [2, -3, 2], [3]), [U(1, 3, 4)], [true]),
        ["Expand"] = () => new(new Expand([2, 3, 4]), [U(1, 3, 1)], [true]),
    };

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in Cases.Keys) data.Add(name);
        foreach (var kind in Enum.GetValues<UnaryKind>()) data.Add("Unary." + kind);
        return data;
    }

    private static Case Build(string name)
    {
        if (!name.StartsWith("Unary.", StringComparison.Ordinal)) return Cases[name]();
        var kind = Enum.Parse<UnaryKind>(name["Unary.".Length..]);
        return new(new Unary(kind, 0.2f, 0.3f), [U(1, 2, 5)], [true]);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Backward_InsideExecutorWithReleases_EqualsDirectCall(string name)
    {
        var c = Build(name);
        var g = new ComputeGraph();
        var inputs = new int[c.Inputs.Length];
        var fed = new int[c.Inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = g.AddInput($"x{i}", c.Inputs[i].Shape);
            fed[i] = g.AddNode($"copy{i}", new Unary(UnaryKind.Identity), [inputs[i]], [$"h{i}"])[0];
        }
        var outs = g.AddNode("op", c.Op, fed, Enumerable.Range(0, c.Op.OutputCount).Select(j => $"y{j}").ToArray());
        var results = outs.Select((o, j) => g.AddNode($"out{j}", new Unary(UnaryKind.Identity), [o], [$"z{j}"])[0]).ToArray();
        foreach (var r in results) g.AddOutput(r);

        var executor = new GraphExecutor(g);
        var feed = new Dictionary<int, Tensor>();
        for (int i = 0; i < inputs.Length; i++) feed[inputs[i]] = c.Inputs[i];
        using var pass = executor.Forward(feed, new ForwardOptions { RecordForBackward = true });
        var seeds = results.Select((r, j) => RandomTensors.Uniform(40 + j, -1, 1, g.Values[r].Shape.ToArray())).ToArray();
        var wrt = inputs.Where((_, i) => c.Differentiate[i]).ToArray();
        using var grads = pass.Backward(results.Select((r, j) => (r, j)).ToDictionary(p => p.r, p => seeds[p.j]), wrt);

        var direct = GradientChecker.Run(c.Op, c.Inputs);
        for (int j = 0; j < direct.Length; j++) TensorAssert.AssertIdentical(direct[j].ToArray(), pass[results[j]].ToArray());
        var expected = c.Op.Backward(c.Inputs, direct, seeds, c.Differentiate);
        for (int i = 0; i < inputs.Length; i++)
        {
            if (c.Differentiate[i]) TensorAssert.AssertIdentical(expected[i]!.ToArray(), grads[inputs[i]].ToArray());
        }
    }
}
