namespace ModelAudit.Tensors.Operations;

/// <summary>Element-wise comparisons (NaN compares false, as in IEEE 754 and PyTorch).</summary>
public enum ComparisonKind
{
    /// <summary>a == b.</summary>
    Equal,

    /// <summary>a &lt; b.</summary>
    Less,

    /// <summary>a &gt; b.</summary>
    Greater,

    /// <summary>a &lt;= b.</summary>
    LessOrEqual,

    /// <summary>a &gt;= b.</summary>
    GreaterOrEqual,
}
