using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Kernels.Layout;

/// <summary>NumPy broadcasting rules: shapes align on the right; a dimension of 1 stretches.</summary>
internal static class Broadcasting
{
    /// <summary>The broadcast shape of two shapes, or a <see cref="ShapeMismatchException"/> naming both.</summary>
    public static TensorShape Shape(TensorShape a, TensorShape b)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Rank) >= 0 ? a.Dims[i - (rank - a.Rank)] : 1;
            int db = i - (rank - b.Rank) >= 0 ? b.Dims[i - (rank - b.Rank)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ShapeMismatchException($"Shapes {a} and {b} cannot be broadcast together.");
            dims[i] = da == 1 ? db : da;
        }
        return new TensorShape(dims);
    }

    /// <summary>
    /// Strides for reading a tensor of shape <paramref name="source"/> as if it had shape
    /// <paramref name="target"/>: zero on stretched or missing dimensions.
    /// </summary>
    public static int[] Strides(TensorShape source, TensorShape target)
    {
        var strides = new int[target.Rank];
        var own = source.Strides();
        int shift = target.Rank - source.Rank;
        if (shift < 0) throw new ShapeMismatchException($"Shape {source} cannot be broadcast to {target}.");
        for (int i = 0; i < source.Rank; i++)
        {
            int d = source.Dims[i];
            if (d != target.Dims[i + shift] && d != 1)
                throw new ShapeMismatchException($"Shape {source} cannot be broadcast to {target}.");
            strides[i + shift] = d == 1 ? 0 : own[i];
        }
        return strides;
    }
}
