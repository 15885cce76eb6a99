namespace ModelAudit.Tensors.Operations;

/// <summary>Reductions over axes.</summary>
public enum ReduceKind
{
    /// <summary>Arithmetic mean.</summary>
    Mean,

    /// <summary>Sum.</summary>
    Sum,

    /// <summary>Maximum; ties share the gradient equally.</summary>
    Max,

    /// <summary>Minimum; ties share the gradient equally.</summary>
    Min,
}
