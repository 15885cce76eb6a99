namespace ModelAudit.Tensors.Operations;

/// <summary>How <see cref="Pad"/> fills the border.</summary>
public enum PadMode
{
    /// <summary>A constant value.</summary>
    Constant,

    /// <summary>Mirror without repeating the edge element (NumPy "reflect").</summary>
    Reflect,

    /// <summary>Repeat the edge element.</summary>
    Edge,
}
