using Xunit.Abstractions;
using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Operations;
using ModelAudit.Tensors.Tests.TestSupport;

namespace ModelAudit.Tensors.Tests.Graph;

public class GraphExecutorTests(ITestOutputHelper output)
{
    /// <summary>
    /// conv -> (+d1) -> relu -> (+d2) -> maxpool -> reshape -> gemm -> (+d3) -> softmax. The added
    /// parameters d1..d3 make the gradient at each intermediate measurable by finite differences.
    /// </summary>
    private sealed class SmallNet
    {
        public ComputeGraph Graph { get; } = new();
        public int X, W, B, D1, D2, W2, B2, D3;
        public int Conv, ConvShifted, Relu, ReluShifted, Logits, LogitsShifted, Probabilities;
        public Dictionary<int, Tensor> Parameters { get; } = [];

        public SmallNet(Func<Operation, Operation>? wrap = null)
        {
            wrap ??= op => op;
            var g = Graph;
            X = g.AddInput("x", new TensorShape(2, 1, 6, 6));
            W = Param("w", RandomTensors.Uniform(11, -0.5f, 0.5f, 3, 1, 3, 3));
            B = Param("b", RandomTensors.Uniform(12, -0.1f, 0.1f, 3));
            D1 = Param("d1", Tensor.Zeros(2, 3, 4, 4));
            // Not zero: the ReLU's zeros would tie inside pooling windows, where finite differences fail.
            D2 = Param("d2", RandomTensors.Uniform(15, -0.05f, 0.05f, 2, 3, 4, 4));
            W2 = Param("w2", RandomTensors.Uniform(13, -0.5f, 0.5f, 12, 4));
            B2 = Param("b2", RandomTensors.Uniform(14, -0.1f, 0.1f, 4));
            D3 = Param("d3", Tensor.Zeros(2, 4));
            Conv = g.AddNode("conv", wrap(new Conv2d([1, 1], [0, 0, 0, 0], [1, 1], 1)), [X, W, B], ["conv"])[0];
            ConvShifted = g.AddNode("shift1", wrap(new Binary(BinaryKind.Add)), [Conv, D1], ["conv+d1"])[0];
            Relu = g.AddNode("relu", wrap(new Unary(UnaryKind.Relu)), [ConvShifted], ["relu"])[0];
            ReluShifted = g.AddNode("shift2", wrap(new Binary(BinaryKind.Add)), [Relu, D2], ["relu+d2"])[0];
            int pool = g.AddNode("pool", wrap(new MaxPool2d([2, 2], [2, 2], [0, 0, 0, 0], [1, 1], false)), [ReluShifted], ["pool"])[0];
            int flat = g.AddNode("flatten", wrap(new Reshape([2, 12])), [pool], ["flat"])[0];
            Logits = g.AddNode("fc", wrap(new Gemm(false, false, 1f, 1f)), [flat, W2, B2], ["logits"])[0];
            LogitsShifted = g.AddNode("shift3", wrap(new Binary(BinaryKind.Add)), [Logits, D3], ["logits+d3"])[0];
            Probabilities = g.AddNode("softmax", wrap(new Softmax(1, false)), [LogitsShifted], ["prob"])[0];
            g.AddOutput(Probabilities);
        }

        private int Param(string name, Tensor data)
        {
            Parameters[Graph.AddConstant(name, data, isParameter: true)] = data;
            return Graph[name];
        }
    }

    private static readonly long[] Targets = [1, 3];

    private static double SelectedProbabilitySum(GraphExecutor executor, int x, Tensor input, int output)
    {
        using var pass = executor.Forward(new Dictionary<int, Tensor> { [x] = input }, new ForwardOptions());
        var p = pass[output].Span;
        double sum = 0;
        for (int i = 0; i < Targets.Length; i++) sum += p[i * 4 + (int)Targets[i]];
        return sum;
    }

    [Fact]
    public void Backward_SmallNet_GradientsOfIntermediatesAndParametersMatchFiniteDifferences()
    {
        var net = new SmallNet();
        var executor = new GraphExecutor(net.Graph);
        var x = RandomTensors.Uniform(10, -1, 1, 2, 1, 6, 6);
        using var pass = executor.Forward(new Dictionary<int, Tensor> { [net.X] = x }, new ForwardOptions { RecordForBackward = true });
        using var seed = GradientSeeds.SelectedLogits(new TensorShape(2, 4), Targets);
        int[] wrt = [net.X, net.W, net.B, net.W2, net.B2, net.D1, net.D2, net.D3, net.ConvShifted, net.ReluShifted, net.LogitsShifted];
        using var grads = pass.Backward(new Dictionary<int, Tensor> { [net.Probabilities] = seed }, wrt);

        double Loss() => SelectedProbabilitySum(executor, net.X, x, net.Probabilities);
        const double eps = 1e-3;
        TensorAssert.AssertClose(GradientChecker.FiniteDifferences(x.Span, Loss, eps), grads[net.X].ToArray(), 2e-2, "dL/dx");
        foreach (var p in new[] { net.W, net.B, net.W2, net.B2, net.D1, net.D2, net.D3 })
        {
            var numeric = GradientChecker.FiniteDifferences(net.Parameters[p].Span, Loss, eps);
            TensorAssert.AssertClose(numeric, grads[p].ToArray(), 2e-2, $"dL/d{net.Graph.Values[p].Name}");
        }
        // A value plus a zero parameter has the parameter's gradient: exact identities for the intermediates.
        TensorAssert.AssertIdentical(grads[net.D1].ToArray(), grads[net.ConvShifted].ToArray());
        TensorAssert.AssertIdentical(grads[net.D2].ToArray(), grads[net.ReluShifted].ToArray());
        TensorAssert.AssertIdentical(grads[net.D3].ToArray(), grads[net.LogitsShifted].ToArray());
    }

    [Fact]
    public void Backward_ResidualAdd_AccumulatesBothPaths()
    {
        // z = tanh(x) * w + tanh(x): h = tanh(x) feeds Mul and Add, so dL/dh = seed * (w + 1).
        var g = new ComputeGraph();
        int x = g.AddInput("x", new TensorShape(3, 4));
        var wData = RandomTensors.Uniform(2, -1, 1, 4);
        int w = g.AddConstant("w", wData, isParameter: true);
        int h = g.AddNode("tanh", new Unary(UnaryKind.Tanh), [x], ["h"])[0];
        int y = g.AddNode("mul", new Binary(BinaryKind.Mul), [h, w], ["y"])[0];
        int z = g.AddNode("residual", new Binary(BinaryKind.Add), [y, h], ["z"])[0];
        g.AddOutput(z);
        var executor = new GraphExecutor(g);
        var input = RandomTensors.Uniform(3, -1, 1, 3, 4);
        var seed = RandomTensors.Uniform(4, -1, 1, 3, 4);
        using var pass = executor.Forward(new Dictionary<int, Tensor> { [x] = input }, new ForwardOptions { RecordForBackward = true });
        using var grads = pass.Backward(new Dictionary<int, Tensor> { [z] = seed }, [x, w, h]);

        var s = seed.ToArray();
        var expectedH = new double[12];
        for (int i = 0; i < 12; i++) expectedH[i] = (double)s[i] * (wData.Span[i % 4] + 1f);
        TensorAssert.AssertClose(expectedH, grads[h].ToArray(), 1e-6, "dL/dh");

        double Loss()
        {
            using var p = executor.Forward(new Dictionary<int, Tensor> { [x] = input }, new ForwardOptions());
            double sum = 0;
            for (int i = 0; i < 12; i++) sum += (double)p[z].Span[i] * s[i];
            return sum;
        }
        TensorAssert.AssertClose(GradientChecker.FiniteDifferences(input.Span, Loss, 1e-3), grads[x].ToArray(), 1e-2, "dL/dx");
        TensorAssert.AssertClose(GradientChecker.FiniteDifferences(wData.Span, Loss, 1e-3), grads[w].ToArray(), 1e-2, "dL/dw");
    }

    /// <summary>An operation that never passes its gradient through: every input gradient a fresh copy from Backward, as before hand-on.</summary>
    private sealed class CopyingGradients(Operation inner) : Operation
    {
        public override string Kind => inner.Kind;

        public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs) => inner.InferShapes(inputs);

        public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs) => inner.Forward(inputs, outputs);

        public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
            => inner.Backward(inputs, outputs, outputGradients, needInputGradient);

        public override bool BackwardReadsInput(int inputIndex) => inner.BackwardReadsInput(inputIndex);
    }

    /// <summary>
    /// Add and Sub hand their output gradient on (lent when it is kept, given to the last taker when this pass owns it,
    /// copied for earlier takers): gradients bit-identical to fresh copies from Backward, for requested and unrequested
    /// sums, a value added to itself, chained sums, a broadcast input (not handed on), and the seed on a sum.
    /// </summary>
    [Theory]
    [InlineData("x")]
    [InlineData("x,h")]
    [InlineData("x,z1,h")]
    [InlineData("x,z1,z2,z3,h,w")]
    [InlineData("y,z2")]
    [InlineData("w,b")]
    public void Backward_HandedOnGradients_BitIdenticalToCopies(string requested)
    {
        (ComputeGraph Graph, Dictionary<string, int> Ids) Build(bool copying)
        {
            Operation Op(Operation op) => copying ? new CopyingGradients(op) : op;
            var g = new ComputeGraph();
            var ids = new Dictionary<string, int> { ["x"] = g.AddInput("x", new TensorShape(3, 4)) };
            ids["w"] = g.AddConstant("w", RandomTensors.Uniform(2, -1, 1, 4), isParameter: true);
            ids["b"] = g.AddConstant("b", RandomTensors.Uniform(5, -1, 1, 4), isParameter: true);
            ids["h"] = g.AddNode("tanh", new Unary(UnaryKind.Tanh), [ids["x"]], ["h"])[0];
            ids["y"] = g.AddNode("mul", new Binary(BinaryKind.Mul), [ids["h"], ids["w"]], ["y"])[0];
            ids["z1"] = g.AddNode("residual", Op(new Binary(BinaryKind.Add)), [ids["y"], ids["h"]], ["z1"])[0];
            ids["z2"] = g.AddNode("twice", Op(new Binary(BinaryKind.Add)), [ids["z1"], ids["z1"]], ["z2"])[0];
            ids["z3"] = g.AddNode("less", Op(new Binary(BinaryKind.Sub)), [ids["z2"], ids["y"]], ["z3"])[0];
            ids["z4"] = g.AddNode("bias", Op(new Binary(BinaryKind.Add)), [ids["z3"], ids["b"]], ["z4"])[0];
            // h's total is the lent seed when the residual hands z1's own gradient on to it (given, added to a borrowed total).
            ids["out"] = g.AddNode("sum", Op(new Binary(BinaryKind.Add)), [ids["z4"], ids["h"]], ["out"])[0];
            g.AddOutput(ids["out"]);
            return (g, ids);
        }
        var input = RandomTensors.Uniform(3, -1, 1, 3, 4);
        var seed = RandomTensors.Uniform(4, -1, 1, 3, 4);
        Dictionary<string, int[]> Run(bool copying)
        {
            var (graph, ids) = Build(copying);
            var executor = new GraphExecutor(graph);
            using var pass = executor.Forward(new Dictionary<int, Tensor> { [ids["x"]] = input }, new ForwardOptions { RecordForBackward = true });
            var wrt = requested.Split(',').Select(name => ids[name]).ToArray();
            using var grads = pass.Backward(new Dictionary<int, Tensor> { [ids["out"]] = seed }, wrt);
            return requested.Split(',').ToDictionary(name => name, name => grads[ids[name]].ToArray().Select(BitConverter.SingleToInt32Bits).ToArray());
        }
        var copies = Run(copying: true);
        var handedOn = Run(copying: false);
        foreach (var name in requested.Split(','))
            Assert.True(copies[name].SequenceEqual(handedOn[name]), $"d/d{name} differs");
        // The seed (the caller's) is never written to.
        Assert.Equal(RandomTensors.Uniform(4, -1, 1, 3, 4).ToArray(), seed.ToArray());
    }

    [Fact]
    public void Backward_OnlyLastLayerRequested_PrunesEarlierNodes()
    {
        var counters = new List<CountingOperation>();
        var net = new SmallNet(op =>
        {
            var c = new CountingOperation(op);
            counters.Add(c);
            return c;
        });
        var executor = new GraphExecutor(net.Graph);
        using var pass = executor.Forward(new Dictionary<int, Tensor> { [net.X] = RandomTensors.Uniform(1, -1, 1, 2, 1, 6, 6) }, new ForwardOptions { RecordForBackward = true });
        using var seed = GradientSeeds.SelectedLogits(new TensorShape(2, 4), Targets);
        using var grads = pass.Backward(new Dictionary<int, Tensor> { [net.Probabilities] = seed }, [net.W2]);
        // Only fc, shift3 and softmax lie between w2 and the seed.
        Assert.Equal(new[] { 0, 0, 0, 0, 0, 0, 1, 1, 1 }, counters.Select(c => c.BackwardCalls).ToArray());
        Assert.True(grads.Contains(net.W2));
        Assert.False(grads.Contains(net.W));
    }

    [Fact]
    public void Backward_ValueNotUpstreamOfSeed_GetsZeros()
    {
        var g = new ComputeGraph();
        int x = g.AddInput("x", new TensorShape(2));
        int a = g.AddNode("a", new Unary(UnaryKind.Exp), [x], ["a"])[0];
        int b = g.AddNode("b", new Unary(UnaryKind.Neg), [x], ["b"])[0];
        g.AddOutput(a);
        g.AddOutput(b);
        using var pass = new GraphExecutor(g).Forward(new Dictionary<int, Tensor> { [x] = Tensor.FromArray([1, 2], 2) }, new ForwardOptions { RecordForBackward = true });
        using var grads = pass.Backward(new Dictionary<int, Tensor> { [a] = Tensor.FromArray([1, 1], 2) }, [b, x]);
        TensorAssert.AssertClose(new float[] { 0, 0 }, grads[b], relTol: 0);
        TensorAssert.AssertClose(new[] { Math.E, Math.Exp(2) }, grads[x], relTol: 1e-6);
    }

    [Fact]
    public void Forward_RepeatedPasses_ReuseBuffersWithoutNewAllocations()
    {
        var pool = new TensorPool();
        var backend = new CpuBackend(pool);
        var net = new SmallNet();
        var executor = new GraphExecutor(net.Graph, backend);
        var x = RandomTensors.Uniform(10, -1, 1, 2, 1, 6, 6);
        var seed = GradientSeeds.SelectedLogits(new TensorShape(2, 4), Targets, backend);
        var fresh = new List<long>();
        var retained = new List<long>();
        float[]? first = null;
        for (int pass = 0; pass < 10; pass++)
        {
            using (var forward = executor.Forward(new Dictionary<int, Tensor> { [net.X] = x }, new ForwardOptions { RecordForBackward = true }))
            using (var grads = forward.Backward(new Dictionary<int, Tensor> { [net.Probabilities] = seed }, [net.X, net.W, net.ReluShifted]))
            {
                var gx = grads[net.X].ToArray();
                first ??= gx;
                TensorAssert.AssertIdentical(first, gx);
            }
            fresh.Add(pool.FreshAllocationCount);
            retained.Add(pool.RetainedElements);
        }
        // After the first pass every buffer comes from the pool, and everything goes back.
        Assert.All(fresh, f => Assert.Equal(fresh[0], f));
        Assert.All(retained, r => Assert.Equal(retained[0], r));
        output.WriteLine($"10 forward+backward passes: {pool.RentCount} rents, {pool.FreshAllocationCount} fresh arrays (all in pass 1), {pool.RetainedElements} floats idle after each pass.");
    }

    [Fact]
    public void Forward_ChainWithoutRecording_FreesIntermediatesEarly()
    {
        // Five element-wise nodes: once a node ran, its input is dead, so two buffers ping-pong.
        var pool = new TensorPool();
        var backend = new CpuBackend(pool);
        var g = new ComputeGraph();
        int v = g.AddInput("x", new TensorShape(1000));
        for (int i = 0; i < 5; i++) v = g.AddNode($"n{i}", new Unary(UnaryKind.Tanh), [v], [$"v{i}"])[0];
        g.AddOutput(v);
        var executor = new GraphExecutor(g, backend);
        var input = backend.Allocate(new TensorShape(1000), clear: true);
        long before = pool.FreshAllocationCount;
        using (executor.Forward(new Dictionary<int, Tensor> { [g.Inputs[0]] = input }, new ForwardOptions()))
        {
            Assert.Equal(2, pool.FreshAllocationCount - before);
        }
        // Recording for backward keeps every Tanh output (its backward reads the output).
        before = pool.FreshAllocationCount;
        using (executor.Forward(new Dictionary<int, Tensor> { [g.Inputs[0]] = input }, new ForwardOptions { RecordForBackward = true }))
        {
            Assert.Equal(3, pool.FreshAllocationCount - before);
        }
    }

    [Fact]
    public void Forward_SameInputs_BitIdenticalResults()
    {
        var net = new SmallNet();
        var executor = new GraphExecutor(net.Graph);
        var x = RandomTensors.Uniform(10, -1, 1, 2, 1, 6, 6);
        using var a = executor.Forward(new Dictionary<int, Tensor> { [net.X] = x }, new ForwardOptions { Keep = [net.Conv] });
        using var b = executor.Forward(new Dictionary<int, Tensor> { [net.X] = x }, new ForwardOptions { Keep = [net.Conv] });
        TensorAssert.AssertIdentical(a[net.Probabilities].ToArray(), b[net.Probabilities].ToArray());
        TensorAssert.AssertIdentical(a[net.Conv].ToArray(), b[net.Conv].ToArray());
    }

    [Fact]
    public void ForwardBackward_ConcurrentPassesOnOneExecutor_MatchSequentialBitForBit()
    {
        var net = new SmallNet();
        var executor = new GraphExecutor(net.Graph);
        var inputs = Enumerable.Range(0, 4).Select(i => RandomTensors.Uniform(20 + i, -1, 1, 2, 1, 6, 6)).ToArray();
        using var seed = GradientSeeds.SelectedLogits(new TensorShape(2, 4), Targets);
        float[] Run(Tensor x)
        {
            using var pass = executor.Forward(new Dictionary<int, Tensor> { [net.X] = x }, new ForwardOptions { RecordForBackward = true });
            using var grads = pass.Backward(new Dictionary<int, Tensor> { [net.Probabilities] = seed }, [net.W, net.X]);
            return [.. grads[net.W].ToArray(), .. grads[net.X].ToArray()];
        }
        var sequential = inputs.Select(Run).ToArray();
        var concurrent = new float[inputs.Length][];
        Parallel.For(0, inputs.Length * 8, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => concurrent[i % inputs.Length] = Run(inputs[i % inputs.Length]));
        for (int i = 0; i < inputs.Length; i++) TensorAssert.AssertIdentical(sequential[i], concurrent[i]);
    }

    [Fact]
    public void Forward_BadInputs_ThrowNamingTheInput()
    {
        var net = new SmallNet();
        var executor = new GraphExecutor(net.Graph);
        var missing = Assert.Throws<ArgumentException>(() => executor.Forward(new Dictionary<int, Tensor>(), new ForwardOptions()));
        Assert.Contains("'x'", missing.Message);
        var misshaped = Assert.Throws<ArgumentException>(() => executor.Forward(new Dictionary<int, Tensor> { [net.X] = Tensor.Zeros(1, 1, 6, 6) }, new ForwardOptions()));
        Assert.Contains("'x'", misshaped.Message);
        Assert.Contains("[1,1,6,6]", misshaped.Message);
    }

    [Fact]
    public void ForwardPass_UnkeptValueOrUnrecordedBackward_Throws()
    {
        var net = new SmallNet();
        using var pass = new GraphExecutor(net.Graph).Forward(new Dictionary<int, Tensor> { [net.X] = Tensor.Zeros(2, 1, 6, 6) }, new ForwardOptions());
        var e = Assert.Throws<KeyNotFoundException>(() => pass[net.Relu]);
        Assert.Contains("'relu'", e.Message);
        Assert.Throws<InvalidOperationException>(() => pass.Backward(new Dictionary<int, Tensor>(), [net.W]));
    }

    [Fact]
    public void SelectedLogits_Targets_OneHotRows()
    {
        using var seed = GradientSeeds.SelectedLogits(new TensorShape(2, 3), [2, 0]);
        TensorAssert.AssertClose(new float[] { 0, 0, 1, 1, 0, 0 }, seed, relTol: 0);
        Assert.Throws<ArgumentException>(() => GradientSeeds.SelectedLogits(new TensorShape(2, 3), [3, 0]));
    }
}
