namespace ModelAudit.Tensors.Operations;

/// <summary>Element-wise binary operations with NumPy broadcasting.</summary>
public enum BinaryKind
{
    /// <summary>a + b.</summary>
    Add,

    /// <summary>a - b.</summary>
    Sub,

    /// <summary>a * b.</summary>
    Mul,

    /// <summary>a / b.</summary>
    Div,

    /// <summary>a ^ b.</summary>
    Pow,

    /// <summary>max(a, b); ties share the gradient equally (as PyTorch's maximum).</summary>
    Max,

    /// <summary>min(a, b); ties share the gradient equally (as PyTorch's minimum).</summary>
    Min,
}
