using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Tests.Graph;

/// <summary><see cref="ForwardOptions.Replace"/>: a node output swapped for the caller's tensor, as a forward hook does.</summary>
public sealed class ReplaceValueTests
{
    /// <summary>x -> relu -> y; z = y * w (w a parameter); output = z.</summary>
    private static (ComputeGraph Graph, int X, int Y, int W, int Z) Build()
    {
        var g = new ComputeGraph();
        int x = g.AddInput("x", new TensorShape(2, 3));
        int w = g.AddConstant("w", Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], [2, 3]), isParameter: true);
        int y = g.AddNode("relu", new Unary(UnaryKind.Relu), [x], ["y"])[0];
        int z = g.AddNode("mul", new Binary(BinaryKind.Mul), [y, w], ["z"])[0];
        g.AddOutput(z);
        return (g, x, y, w, z);
    }

    [Fact]
    public void Forward_ReplacedValue_LaterNodesReadTheReplacement()
    {
        var (g, x, y, _, z) = Build();
        var executor = new GraphExecutor(g);
        using var input = Tensor.FromArray([-1f, -2f, -3f, -4f, -5f, -6f], [2, 3]);
        using var replacement = Tensor.FromArray([0.5f, -1f, 2f, 3f, -0.25f, 1f], [2, 3]);
        using var pass = executor.Forward(new Dictionary<int, Tensor> { [x] = input },
            new ForwardOptions { Keep = [y], Replace = new Dictionary<int, Tensor> { [y] = replacement } });
        // relu(x) would be all zeros: the product shows the replacement (negative values included) was read.
        Assert.Equal([0.5f, -2f, 6f, 12f, -1.25f, 6f], pass[z].ToArray());
        Assert.Equal(replacement.ToArray(), pass[y].ToArray());
    }

    [Fact]
    public void Backward_ReplacedValue_StopsThereAndGivesItsGradient()
    {
        var (g, x, y, w, z) = Build();
        var executor = new GraphExecutor(g);
        using var input = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], [2, 3]);
        using var replacement = Tensor.FromArray([0.5f, -1f, 2f, 3f, -0.25f, 1f], [2, 3]);
        using var pass = executor.Forward(new Dictionary<int, Tensor> { [x] = input },
            new ForwardOptions { RecordForBackward = true, Replace = new Dictionary<int, Tensor> { [y] = replacement } });
        using var seed = Tensor.FromArray([1f, 1f, 1f, 1f, 1f, 1f], [2, 3]);
        using var grads = pass.Backward(new Dictionary<int, Tensor> { [z] = seed }, [x, y, w]);
        // dz/dy = w; dz/dw = the replacement; the input no longer reaches the output: zeros.
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], grads[y].ToArray());
        Assert.Equal(replacement.ToArray(), grads[w].ToArray());
        Assert.Equal(new float[6], grads[x].ToArray());
    }

    [Fact]
    public void Forward_ReplacementOfAnInputOrWrongShape_Refused()
    {
        var (g, x, y, _, _) = Build();
        var executor = new GraphExecutor(g);
        using var input = Tensor.FromArray(new float[6], [2, 3]);
        using var wrong = Tensor.FromArray(new float[3], [3]);
        Assert.Throws<ArgumentException>(() => executor.Forward(new Dictionary<int, Tensor> { [x] = input },
            new ForwardOptions { Replace = new Dictionary<int, Tensor> { [x] = input } }));
        var e = Assert.Throws<ArgumentException>(() => executor.Forward(new Dictionary<int, Tensor> { [x] = input },
            new ForwardOptions { Replace = new Dictionary<int, Tensor> { [y] = wrong } }));
        Assert.Contains("Replacement for 'y' has shape", e.Message, StringComparison.Ordinal);
    }
}
