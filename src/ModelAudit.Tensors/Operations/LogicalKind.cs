namespace ModelAudit.Tensors.Operations;

/// <summary>Element-wise logical operations on booleans held as floats (any non-zero value is true).</summary>
public enum LogicalKind
{
    /// <summary>a and b.</summary>
    And,

    /// <summary>a or b.</summary>
    Or,

    /// <summary>a xor b.</summary>
    Xor,
}
