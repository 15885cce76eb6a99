namespace ModelAudit.Tensors.Operations;

/// <summary>Element-wise activations and math functions.</summary>
public enum UnaryKind
{
    /// <summary>x.</summary>
    Identity,

    /// <summary>max(0, x); derivative 0 at x = 0 (as PyTorch).</summary>
    Relu,

    /// <summary>x for x &gt; 0, else alpha * x.</summary>
    LeakyRelu,

    /// <summary>1 / (1 + exp(-x)).</summary>
    Sigmoid,

    /// <summary>tanh(x).</summary>
    Tanh,

    /// <summary>max(0, min(1, alpha * x + beta)) (ONNX).</summary>
    HardSigmoid,

    /// <summary>x * max(0, min(1, x / 6 + 0.5)).</summary>
    HardSwish,

    /// <summary>exp(x).</summary>
    Exp,

    /// <summary>ln(x).</summary>
    Log,

    /// <summary>-x.</summary>
    Neg,

    /// <summary>sqrt(x).</summary>
    Sqrt,

    /// <summary>|x|.</summary>
    Abs,

    /// <summary>x for x &gt; 0, else alpha * (exp(x) - 1).</summary>
    Elu,

    /// <summary>ln(1 + exp(x)).</summary>
    Softplus,

    /// <summary>x * Phi(x), the exact (erf) form.</summary>
    Gelu,

    /// <summary>The error function.</summary>
    Erf,

    /// <summary>1 / x.</summary>
    Reciprocal,
}
