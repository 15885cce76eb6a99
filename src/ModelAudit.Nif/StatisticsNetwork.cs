using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Nif;

/// <summary>
/// E statistics networks T_e(x, y) = w2_e · relu(W1_e [x, y] + b1_e) as one engine graph over [E, R, 2]
/// inputs, with the weights as parameters (updated in place between passes). The output layer has no bias:
/// the Donsker-Varadhan bound is unchanged when a constant is added to T, so it would never be trained.
/// </summary>
internal sealed class StatisticsNetwork : IDisposable
{
    private StatisticsNetwork(GraphExecutor executor, int inputId, int outputId, int[] parameterIds, Tensor[] parameters)
    {
        Executor = executor;
        InputId = inputId;
        OutputId = outputId;
        ParameterIds = parameterIds;
        Parameters = parameters;
    }

    public GraphExecutor Executor { get; }

    public int InputId { get; }

    /// <summary>T, shaped [E, R, 1].</summary>
    public int OutputId { get; }

    /// <summary>W1 [E,2,H], b1 [E,1,H], W2 [E,H,1].</summary>
    public int[] ParameterIds { get; }

    public Tensor[] Parameters { get; }

    /// <summary>
    /// Builds the graph; weights are drawn as PyTorch's Linear default, U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
    /// pair after pair from <paramref name="random"/>.
    /// </summary>
    public static StatisticsNetwork Create(int edges, int rows, int hidden, Random random)
    {
        var w1 = Uniform(random, 1 / Math.Sqrt(2), edges, 2, hidden);
        var b1 = Uniform(random, 1 / Math.Sqrt(2), edges, 1, hidden);
        var w2 = Uniform(random, 1 / Math.Sqrt(hidden), edges, hidden, 1);
        var graph = new ComputeGraph();
        int input = graph.AddInput("pairs", new TensorShape(edges, rows, 2));
        int w1Id = graph.AddConstant("w1", w1, isParameter: true);
        int b1Id = graph.AddConstant("b1", b1, isParameter: true);
        int w2Id = graph.AddConstant("w2", w2, isParameter: true);
        int z = graph.AddNode("fc1", new MatMul(), [input, w1Id], ["z"])[0];
        int zb = graph.AddNode("fc1_bias", new Binary(BinaryKind.Add), [z, b1Id], ["z_bias"])[0];
        int h = graph.AddNode("relu", new Unary(UnaryKind.Relu), [zb], ["h"])[0];
        int t = graph.AddNode("fc2", new MatMul(), [h, w2Id], ["t"])[0];
        graph.AddOutput(t);
        return new StatisticsNetwork(new GraphExecutor(graph), input, t, [w1Id, b1Id, w2Id], [w1, b1, w2]);
    }

    private static Tensor Uniform(Random random, double bound, params int[] dims)
    {
        var data = new float[dims.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)((2 * random.NextDouble() - 1) * bound);
        return Tensor.FromArray(data, dims);
    }

    public void Dispose()
    {
        foreach (var p in Parameters) p.Dispose();
    }
}
