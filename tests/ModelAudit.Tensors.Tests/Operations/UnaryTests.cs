using ModelAudit.Tensors.Operations;
using ModelAudit.Tensors.Tests.TestSupport;

namespace ModelAudit.Tensors.Tests.Operations;

public class UnaryTests
{
    private static double Erf(double x)
    {
        // Independent reference: the series to convergence (fine for |x| <= 3).
        double sum = 0, term = x;
        for (int n = 0; n < 200; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    public static TheoryData<UnaryKind, float, float> Kinds() => new()
    {
        { UnaryKind.Identity, 0, 0 }, { UnaryKind.Relu, 0, 0 }, { UnaryKind.LeakyRelu, 0.1f, 0 },
        { UnaryKind.Sigmoid, 0, 0 }, { UnaryKind.Tanh, 0, 0 }, { UnaryKind.HardSigmoid, 0.2f, 0.5f },
        { UnaryKind.HardSwish, 0, 0 }, { UnaryKind.Exp, 0, 0 }, { UnaryKind.Log, 0, 0 }, { UnaryKind.Neg, 0, 0 },
        { UnaryKind.Sqrt, 0, 0 }, { UnaryKind.Abs, 0, 0 }, { UnaryKind.Elu, 1.3f, 0 }, { UnaryKind.Softplus, 0, 0 },
        { UnaryKind.Gelu, 0, 0 }, { UnaryKind.Erf, 0, 0 }, { UnaryKind.Reciprocal, 0, 0 },
    };

    private static double Reference(UnaryKind kind, float alpha, float beta, double x) => kind switch
    {
        UnaryKind.Identity => x,
        UnaryKind.Relu => Math.Max(0, x),
        UnaryKind.LeakyRelu => x > 0 ? x : alpha * x,
        UnaryKind.Sigmoid => 1 / (1 + Math.Exp(-x)),
        UnaryKind.Tanh => Math.Tanh(x),
        UnaryKind.HardSigmoid => Math.Max(0, Math.Min(1, alpha * x + beta)),
        UnaryKind.HardSwish => x * Math.Max(0, Math.Min(1, x / 6 + 0.5)),
        UnaryKind.Exp => Math.Exp(x),
        UnaryKind.Log => Math.Log(x),
        UnaryKind.Neg => -x,
        UnaryKind.Sqrt => Math.Sqrt(x),
        UnaryKind.Abs => Math.Abs(x),
        UnaryKind.Elu => x > 0 ? x : alpha * (Math.Exp(x) - 1),
        UnaryKind.Softplus => Math.Log(1 + Math.Exp(x)),
        UnaryKind.Gelu => 0.5 * x * (1 + Erf(x / Math.Sqrt(2))),
        UnaryKind.Erf => Erf(x),
        UnaryKind.Reciprocal => 1 / x,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static bool PositiveOnly(UnaryKind kind) => kind is UnaryKind.Log or UnaryKind.Sqrt;

    private static Tensor Input(UnaryKind kind, int seed)
        => PositiveOnly(kind)
            ? RandomTensors.Uniform(seed, 0.3f, 3f, 3, 7)
            : RandomTensors.AwayFromZero(seed, -2.9f, 2.9f, 0.15f, 3, 7);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Forward_RandomInputs_MatchesDoubleReference(UnaryKind kind, float alpha, float beta)
    {
        var x = Input(kind, 3);
        var y = GradientChecker.Run(new Unary(kind, alpha, beta), [x])[0];
        var expected = x.ToArray().Select(v => Reference(kind, alpha, beta, v)).ToArray();
        TensorAssert.AssertClose(expected, y, relTol: 2e-6);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Backward_SmoothInputs_MatchesFiniteDifferences(UnaryKind kind, float alpha, float beta)
    {
        var x = Input(kind, 5);
        if (kind == UnaryKind.HardSigmoid)
        {
            // With alpha 0.2, beta 0.5 the kinks sit at |x| = 2.5; move samples off them (HardSwish's at 3 are out of range).
            var s = x.Span;
            for (int i = 0; i < s.Length; i++)
                if (Math.Abs(Math.Abs(s[i]) - 2.5f) < 0.1f) s[i] *= 0.9f;
        }
        GradientChecker.Check(new Unary(kind, alpha, beta), [x], eps: 1e-3, relTol: 1e-2);
    }

    [Fact]
    public void Backward_ReluAtExactlyZero_IsZero()
    {
        var x = Tensor.FromArray([0f, 1f, -1f], 3);
        var op = new Unary(UnaryKind.Relu);
        var y = GradientChecker.Run(op, [x]);
        var g = op.Backward([x], y, [Tensor.FromArray([1f, 1f, 1f], 3)], [true]);
        TensorAssert.AssertClose(new float[] { 0, 1, 0 }, g[0]!, relTol: 0);
    }

    [Fact]
    public void ReluBackward_LongTensorWithZerosAndTail_PassesGradientExactlyWherePositive()
    {
        // 16-wide vector blocks plus a scalar tail; x == 0 gets 0 (PyTorch).
        var xs = new float[37];
        var gs = new float[37];
        for (int i = 0; i < xs.Length; i++)
        {
            xs[i] = (i % 3 - 1) * (i + 1) * 0.25f;
            gs[i] = i - 10.5f;
        }
        using var x = Tensor.FromArray(xs, 37);
        using var y = Tensor.Zeros(37);
        using var dy = Tensor.FromArray(gs, 37);
        using var dx = Tensor.Zeros(37);
        ComputeBackends.Cpu.UnaryBackward(UnaryKind.Relu, 0, 0, x, y, dy, dx);
        for (int i = 0; i < xs.Length; i++) Assert.Equal(xs[i] > 0 ? gs[i] : 0f, dx.Span[i]);
    }
}
