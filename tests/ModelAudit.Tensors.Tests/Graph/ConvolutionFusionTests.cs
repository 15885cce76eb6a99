using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Operations;
using ModelAudit.Tensors.Tests.TestSupport;

namespace ModelAudit.Tensors.Tests.Graph;

/// <summary>
/// Convolutions run together with the Add/Relu nodes that consume them: which chains fuse, and that a fused pass
/// gives the same outputs and gradients, bit for bit, as the unfused one (forced by keeping the intermediates).
/// </summary>
public class ConvolutionFusionTests
{
    /// <summary>
    /// x -> conv a -> relu r1 (Conv+Relu); r1 -> conv b -> add(b, r1) -> relu r2 (Conv+Add+Relu, residual r1);
    /// r2 -> conv c -> add(r2, c) = output (Conv+Add; the Add's output is the graph output); r2 -> conv d -> relu, read twice (no fusion).
    /// </summary>
    private sealed class ResidualNet
    {
        public ComputeGraph Graph { get; } = new();
        public int X, ConvA, R1, ConvB, Sum1, R2, ConvC, Output, ConvD, R3, Output2, Wb;

        public ResidualNet()
        {
            var g = Graph;
            X = g.AddInput("x", new TensorShape(2, 4, 9, 9));
            ConvA = Conv("a", X, 1, out _);
            R1 = g.AddNode("r1", new Unary(UnaryKind.Relu), [ConvA], ["r1"])[0];
            ConvB = Conv("b", R1, 2, out Wb);
            Sum1 = g.AddNode("add1", new Binary(BinaryKind.Add), [ConvB, R1], ["sum1"])[0];
            R2 = g.AddNode("r2", new Unary(UnaryKind.Relu), [Sum1], ["r2"])[0];
            ConvC = Conv("c", R2, 3, out _);
            Output = g.AddNode("add2", new Binary(BinaryKind.Add), [R2, ConvC], ["out"])[0];
            ConvD = Conv("d", R2, 4, out _);
            R3 = g.AddNode("r3", new Unary(UnaryKind.Relu), [ConvD], ["r3"])[0];
            Output2 = g.AddNode("mix", new Binary(BinaryKind.Mul), [R3, ConvD], ["out2"])[0];
            g.AddOutput(Output);
            g.AddOutput(Output2);
        }

        private int Conv(string name, int input, int seed, out int weights)
        {
            weights = Graph.AddConstant("w" + name, RandomTensors.Uniform(seed, -0.4f, 0.4f, 4, 4, 3, 3), isParameter: true);
            int bias = Graph.AddConstant("b" + name, RandomTensors.Uniform(seed + 10, -0.2f, 0.2f, 4), isParameter: true);
            return Graph.AddNode("conv" + name, new Conv2d([1, 1], [1, 1, 1, 1], [1, 1], 1), [input, weights, bias], [name])[0];
        }

        public int[] Intermediates => [ConvA, ConvB, Sum1, ConvC, ConvD];
    }

    [Fact]
    public void Find_ResidualNet_FusesTheThreeChains()
    {
        var net = new ResidualNet();
        var fusions = ConvolutionFusion.Find(net.Graph).Where(f => f is not null).Select(f => f!).ToList();
        Assert.Equal(3, fusions.Count);
        var a = fusions.Single(f => f.Intermediates.Contains(net.ConvA));
        Assert.Equal((-1, true, net.R1), (a.Residual, a.Relu, a.Output));
        var b = fusions.Single(f => f.Intermediates.Contains(net.ConvB));
        Assert.Equal((net.R1, true, net.R2), (b.Residual, b.Relu, b.Output));
        Assert.Equal([net.ConvB, net.Sum1], b.Intermediates);
        var c = fusions.Single(f => f.Intermediates.Contains(net.ConvC));
        Assert.Equal((net.R2, false, net.Output), (c.Residual, c.Relu, c.Output));
    }

    [Fact]
    public void Forward_FusedVersusKeptIntermediates_BitIdentical()
    {
        var net = new ResidualNet();
        var executor = new GraphExecutor(net.Graph);
        using var x = RandomTensors.Uniform(5, -1f, 1f, 2, 4, 9, 9);
        var inputs = new Dictionary<int, Tensor> { [net.X] = x };
        using var fused = executor.Forward(inputs, new ForwardOptions());
        using var unfused = executor.Forward(inputs, new ForwardOptions { Keep = net.Intermediates });
        Assert.Equal(3, fused.FusedConvolutions);
        // Keeping conv c's output (read by the caller) leaves only its chain unfused.
        Assert.Equal(0, unfused.FusedConvolutions);
        using (var partly = executor.Forward(inputs, new ForwardOptions { Keep = [net.ConvC] })) Assert.Equal(2, partly.FusedConvolutions);
        Assert.True(unfused.Contains(net.ConvB));
        foreach (int output in new[] { net.Output, net.Output2 })
            Assert.Equal(unfused[output].ToArray().Select(BitConverter.SingleToInt32Bits), fused[output].ToArray().Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>
    /// x -> conv -> relu -> add(relu, d): the Add reads no input in reverse, so unfused the Relu's output is freed after
    /// the Add while its input (the convolution's output) is kept for the Relu's derivative. Fused, that input is the
    /// Relu's output, which must then be kept instead.
    /// </summary>
    [Fact]
    public void Backward_FusedReluOutputFreedByItsConsumer_KeptForTheDerivative()
    {
        var g = new ComputeGraph();
        int x = g.AddInput("x", new TensorShape(1, 2, 5, 5));
        int w = g.AddConstant("w", RandomTensors.Uniform(1, -0.5f, 0.5f, 3, 2, 3, 3), isParameter: true);
        int d = g.AddConstant("d", RandomTensors.Uniform(2, -0.1f, 0.1f, 1, 3, 3, 3), isParameter: true);
        int conv = g.AddNode("conv", new Conv2d([1, 1], [0, 0, 0, 0], [1, 1], 1), [x, w], ["conv"])[0];
        int relu = g.AddNode("relu", new Unary(UnaryKind.Relu), [conv], ["relu"])[0];
        int output = g.AddNode("shift", new Binary(BinaryKind.Add), [relu, d], ["out"])[0];
        g.AddOutput(output);
        var executor = new GraphExecutor(g);
        using var input = RandomTensors.Uniform(3, -1f, 1f, 1, 2, 5, 5);
        using var seed = RandomTensors.Uniform(4, -1f, 1f, 1, 3, 3, 3);

        float[] Gradient(IReadOnlyCollection<int> keep, int expectedFusions)
        {
            using var pass = executor.Forward(new Dictionary<int, Tensor> { [x] = input }, new ForwardOptions { Keep = keep, RecordForBackward = true });
            Assert.Equal(expectedFusions, pass.FusedConvolutions);
            using var grads = pass.Backward(new Dictionary<int, Tensor> { [output] = seed }, [x]);
            return grads[x].ToArray();
        }

        var fused = Gradient([], 1);
        Assert.Equal(Gradient([conv], 0).Select(BitConverter.SingleToInt32Bits), fused.Select(BitConverter.SingleToInt32Bits));
        Assert.Contains(fused, v => v != 0);
    }

    [Fact]
    public void Backward_FusedVersusKeptIntermediates_BitIdentical()
    {
        var net = new ResidualNet();
        var executor = new GraphExecutor(net.Graph);
        using var x = RandomTensors.Uniform(6, -1f, 1f, 2, 4, 9, 9);
        using var seed = RandomTensors.Uniform(7, -1f, 1f, 2, 4, 9, 9);
        int[] wrt = [net.X, net.Wb, net.R1, net.Sum1, net.R2, net.ConvC];

        float[][] Gradients(IReadOnlyCollection<int> keep)
        {
            using var pass = executor.Forward(new Dictionary<int, Tensor> { [net.X] = x }, new ForwardOptions { Keep = keep, RecordForBackward = true });
            using var grads = pass.Backward(new Dictionary<int, Tensor> { [net.Output] = seed }, wrt);
            return [.. wrt.Select(id => grads[id].ToArray())];
        }

        var fused = Gradients([]);
        var unfused = Gradients(net.Intermediates);
        // The gradient reaches through every fused node (not all zeros).
        Assert.Contains(fused[0], v => v != 0);
        for (int i = 0; i < wrt.Length; i++)
            Assert.Equal(unfused[i].Select(BitConverter.SingleToInt32Bits), fused[i].Select(BitConverter.SingleToInt32Bits));
    }
}
