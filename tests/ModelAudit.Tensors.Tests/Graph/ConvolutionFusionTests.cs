using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Operations;
using ModelAudit.Tensors.Tests.TestSupport;

namespace ModelAudit.Tensors.Tests.Graph;

/// <summary>
/// Convolutions run together with the Add/activation nodes that consume them: which chains fuse, and that a fused pass
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
        Assert.Equal((-1, FusedActivation.Relu, net.R1), (a.Residual, a.Activation, a.Output));
        var b = fusions.Single(f => f.Intermediates.Contains(net.ConvB));
        Assert.Equal((net.R1, FusedActivation.Relu, net.R2), (b.Residual, b.Activation, b.Output));
        Assert.Equal([net.ConvB, net.Sum1], b.Intermediates);
        var c = fusions.Single(f => f.Intermediates.Contains(net.ConvC));
        Assert.Equal((net.R2, FusedActivation.None, net.Output), (c.Residual, c.Activation, c.Output));
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

    /// <summary>
    /// torch's export of mobilenet_v3's activations: x -> conv a -> HardSigmoid, Mul(a, gate) = m1 (HardSwish, gated
    /// fusion); m1 -> conv b -> HardSigmoid = s (squeeze-excitation's gate, plain HardSigmoid fusion); out = Mul(s, m1);
    /// m1 -> conv c -> HardSigmoid, Mul(gate, c) = m2, a graph output (gated, operands swapped); m1 -> conv d -> HardSigmoid,
    /// Mul(d, gate) = m3, out3 = Add(m3, gate) (the gate is read twice: no fusion).
    /// </summary>
    private sealed class HardSwishNet
    {
        public ComputeGraph Graph { get; } = new();
        public int X, ConvA, GateA, M1, ConvB, S, Output, ConvC, GateC, M2, ConvD, GateD, M3, Output3, Wa;

        public HardSwishNet()
        {
            var g = Graph;
            X = g.AddInput("x", new TensorShape(2, 4, 9, 9));
            ConvA = Conv("a", X, 1, out Wa);
            GateA = g.AddNode("ha", new Unary(UnaryKind.HardSigmoid, 1f / 6f, 0.5f), [ConvA], ["ha"])[0];
            M1 = g.AddNode("m1", new Binary(BinaryKind.Mul), [ConvA, GateA], ["m1"])[0];
            ConvB = Conv("b", M1, 2, out _);
            S = g.AddNode("hb", new Unary(UnaryKind.HardSigmoid, 0.2f, 0.5f), [ConvB], ["s"])[0];
            Output = g.AddNode("scale", new Binary(BinaryKind.Mul), [S, M1], ["out"])[0];
            ConvC = Conv("c", M1, 3, out _);
            GateC = g.AddNode("hc", new Unary(UnaryKind.HardSigmoid, 1f / 6f, 0.5f), [ConvC], ["hc"])[0];
            M2 = g.AddNode("m2", new Binary(BinaryKind.Mul), [GateC, ConvC], ["m2"])[0];
            ConvD = Conv("d", M1, 4, out _);
            GateD = g.AddNode("hd", new Unary(UnaryKind.HardSigmoid, 1f / 6f, 0.5f), [ConvD], ["hd"])[0];
            M3 = g.AddNode("m3", new Binary(BinaryKind.Mul), [ConvD, GateD], ["m3"])[0];
            Output3 = g.AddNode("add3", new Binary(BinaryKind.Add), [M3, GateD], ["out3"])[0];
            g.AddOutput(Output);
            g.AddOutput(M2);
            g.AddOutput(Output3);
        }

        // Weights in [-1, 1] over 36 taps: many outputs beyond the HardSigmoid's kinks at -3 and 3.
        private int Conv(string name, int input, int seed, out int weights)
        {
            weights = Graph.AddConstant("w" + name, RandomTensors.Uniform(seed, -1f, 1f, 4, 4, 3, 3), isParameter: true);
            int bias = Graph.AddConstant("b" + name, RandomTensors.Uniform(seed + 10, -0.5f, 0.5f, 4), isParameter: true);
            return Graph.AddNode("conv" + name, new Conv2d([1, 1], [1, 1, 1, 1], [1, 1], 1), [input, weights, bias], [name])[0];
        }

        public int[] Intermediates => [ConvA, GateA, ConvB, ConvC, GateC];
    }

    [Fact]
    public void Find_HardSwishNet_FusesGatedAndPlainHardSigmoid()
    {
        var net = new HardSwishNet();
        var fusions = ConvolutionFusion.Find(net.Graph).Where(f => f is not null).Select(f => f!).ToList();
        Assert.Equal(3, fusions.Count);
        var a = fusions.Single(f => f.Intermediates.Contains(net.ConvA));
        Assert.Equal((new FusedActivation(FusedActivationKind.GatedHardSigmoid, 1f / 6f, 0.5f), net.M1), (a.Activation, a.Output));
        Assert.Equal([net.ConvA, net.GateA], a.Intermediates);
        var b = fusions.Single(f => f.Intermediates.Contains(net.ConvB));
        Assert.Equal((new FusedActivation(FusedActivationKind.HardSigmoid, 0.2f, 0.5f), net.S), (b.Activation, b.Output));
        var c = fusions.Single(f => f.Intermediates.Contains(net.ConvC));
        Assert.Equal((FusedActivationKind.GatedHardSigmoid, net.M2), (c.Activation.Kind, c.Output));
        Assert.DoesNotContain(fusions, f => f.Intermediates.Contains(net.ConvD));
        Assert.All(fusions, f => Assert.False(f.BindsIntermediates));
    }

    [Fact]
    public void Forward_HardSwishNetFusedVersusKeptIntermediates_BitIdentical()
    {
        var net = new HardSwishNet();
        var executor = new GraphExecutor(net.Graph);
        using var x = RandomTensors.Uniform(5, -2f, 2f, 2, 4, 9, 9);
        var inputs = new Dictionary<int, Tensor> { [net.X] = x };
        using var fused = executor.Forward(inputs, new ForwardOptions());
        using var unfused = executor.Forward(inputs, new ForwardOptions { Keep = net.Intermediates });
        Assert.Equal(3, fused.FusedConvolutions);
        Assert.Equal(0, unfused.FusedConvolutions);
        // Keeping only the gate of conv c leaves its chain unfused.
        using (var partly = executor.Forward(inputs, new ForwardOptions { Keep = [net.GateC] })) Assert.Equal(2, partly.FusedConvolutions);
        foreach (int output in new[] { net.Output, net.M2, net.Output3 })
            Assert.Equal(unfused[output].ToArray().Select(BitConverter.SingleToInt32Bits), fused[output].ToArray().Select(BitConverter.SingleToInt32Bits));
        // The gates saturate both ways somewhere: the clamp is exercised.
        var preActivation = unfused[net.ConvA].ToArray();
        Assert.Contains(preActivation, v => v < -3f);
        Assert.Contains(preActivation, v => v > 3f);
    }

    /// <summary>
    /// The derivatives of HardSigmoid and Mul read the values a gated fusion does not materialise, so a pass recorded for
    /// backward runs those nodes apart: the gradients are those of the pass with every intermediate kept.
    /// </summary>
    [Fact]
    public void Backward_RecordedHardSwishNet_NotFusedAndBitIdenticalToKept()
    {
        var net = new HardSwishNet();
        var executor = new GraphExecutor(net.Graph);
        using var x = RandomTensors.Uniform(6, -2f, 2f, 2, 4, 9, 9);
        using var seed = RandomTensors.Uniform(7, -1f, 1f, 2, 4, 9, 9);
        int[] wrt = [net.X, net.Wa, net.M1];

        float[][] Gradients(IReadOnlyCollection<int> keep)
        {
            using var pass = executor.Forward(new Dictionary<int, Tensor> { [net.X] = x }, new ForwardOptions { Keep = keep, RecordForBackward = true });
            Assert.Equal(0, pass.FusedConvolutions);
            using var grads = pass.Backward(new Dictionary<int, Tensor> { [net.Output] = seed, [net.M2] = seed }, wrt);
            return [.. wrt.Select(id => grads[id].ToArray())];
        }

        var recorded = Gradients([]);
        var kept = Gradients(net.Intermediates);
        Assert.Contains(recorded[0], v => v != 0);
        for (int i = 0; i < wrt.Length; i++)
            Assert.Equal(kept[i].Select(BitConverter.SingleToInt32Bits), recorded[i].Select(BitConverter.SingleToInt32Bits));
    }
}
