namespace ModelAudit.Onnx;

/// <summary>
/// The bounds the importer enforces on hostile or corrupt models, checked before anything is allocated
/// (documented in docs/security.md).
/// </summary>
public static class ModelLimits
{
    /// <summary>The largest model file: protobuf messages are limited to 2 GiB - 1 bytes (larger weights go in external data).</summary>
    public const long MaxModelBytes = int.MaxValue;

    /// <summary>The most elements one tensor (initializer, input, activation) may hold: 2^31 - 1.</summary>
    public const long MaxTensorElements = int.MaxValue;

    /// <summary>The most elements a tensor folded at build time (shape arithmetic, ConstantOfShape, Range, Expand of a constant) may hold: 2^24.</summary>
    public const long MaxFoldedElements = 1 << 24;

    /// <summary>The highest tensor rank accepted in attributes and shapes.</summary>
    public const int MaxRank = 64;

    /// <summary>The product of <paramref name="dims"/>, saturated at <see cref="long.MaxValue"/> (0 when a dimension is 0); negative dimensions count as 0.</summary>
    internal static long ElementCount(IEnumerable<int> dims)
    {
        long count = 1;
        bool saturated = false;
        foreach (var d in dims)
        {
            if (d <= 0) return 0;
            if (saturated || count > long.MaxValue / d) saturated = true;
            else count *= d;
        }
        return saturated ? long.MaxValue : count;
    }
}
