namespace ModelAudit.Tensors.Operations;

/// <summary>Which activation a fused convolution applies last (see <see cref="FusedActivation"/>).</summary>
public enum FusedActivationKind
{
    /// <summary>None: the value as it is.</summary>
    None,

    /// <summary>max(v, 0), as the Relu node.</summary>
    Relu,

    /// <summary>clamp(alpha * v + beta, 0, 1), as the HardSigmoid node.</summary>
    HardSigmoid,

    /// <summary>
    /// v * clamp(alpha * v + beta, 0, 1): a HardSigmoid node and the Mul of its input by its output, the pair that
    /// torch (opset &lt; 14) exports for HardSwish.
    /// </summary>
    GatedHardSigmoid,
}

/// <summary>
/// The activation node(s) folded into a convolution, with the attributes of the HardSigmoid they replace. A fused
/// kernel applies it with the same float operations in the same order as the nodes, so results are bit-identical.
/// </summary>
/// <param name="Kind">Which activation.</param>
/// <param name="Alpha">HardSigmoid slope (unused otherwise).</param>
/// <param name="Beta">HardSigmoid offset (unused otherwise).</param>
public readonly record struct FusedActivation(FusedActivationKind Kind, float Alpha = 0f, float Beta = 0f)
{
    /// <summary>No activation.</summary>
    public static FusedActivation None => default;

    /// <summary>A Relu.</summary>
    public static FusedActivation Relu => new(FusedActivationKind.Relu);

    /// <summary>True when there is an activation to apply.</summary>
    public bool IsActive => Kind != FusedActivationKind.None;
}
