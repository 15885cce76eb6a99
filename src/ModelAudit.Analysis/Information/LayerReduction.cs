using ModelAudit.Estimators;
using ModelAudit.Tensors;

namespace ModelAudit.Analysis.Information;

/// <summary>Turns a layer tensor [N, ...] into the sample matrix the estimators read, and says how.</summary>
public static class LayerReduction
{
    /// <summary>
    /// Applies <paramref name="reduction"/>: channel mean for [N,C,H,W] (other ranks flattened), or a random
    /// projection to <paramref name="projectionDimensions"/> columns seeded by <paramref name="seed"/> and the
    /// layer name, so each layer gets its own fixed projection and runs repeat exactly.
    /// </summary>
    /// <param name="tensor">The layer's values, one row per sample.</param>
    /// <param name="name">The layer name (part of the projection seed).</param>
    /// <param name="reduction">What to do.</param>
    /// <param name="projectionDimensions">Columns after a projection (only wider layers are projected).</param>
    /// <param name="seed">Run seed.</param>
    /// <param name="how">What was applied, for the report: <c>none</c>, <c>channel-mean</c> or <c>random-projection(k)</c>.</param>
    public static SampleMatrix Reduce(Tensor tensor, string name, RepresentationReduction reduction, int projectionDimensions, int seed, out string how)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        int n = tensor.Shape[0];
        var reducer = For(tensor.Shape, name, reduction, projectionDimensions, seed, out how);
        var reduced = new float[n * reducer.OutputColumns];
        reducer.Reduce(tensor.Span, n, reduced);
        return new SampleMatrix(reduced, n, reducer.OutputColumns);
    }

    /// <summary>
    /// The reducer <see cref="Reduce"/> applies to a layer of shape <paramref name="shape"/> (dimension 0 the batch,
    /// any size): chunks reduced with it give exactly the rows of reducing all samples at once.
    /// </summary>
    public static RowReducer For(TensorShape shape, string name, RepresentationReduction reduction, int projectionDimensions, int seed, out string how)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int width = 1;
        for (int d = 1; d < shape.Rank; d++) width = checked(width * shape[d]);
        Reduction applied = reduction switch
        {
            RepresentationReduction.ChannelMean when shape.Rank == 4 => new Reduction.ChannelMean(shape[1]),
            RepresentationReduction.RandomProjection when width > projectionDimensions
                => new Reduction.RandomProjection(projectionDimensions, seed ^ StableHash(name)),
            _ => new Reduction.None(),
        };
        how = applied switch
        {
            Reduction.ChannelMean => "channel-mean",
            Reduction.RandomProjection p => $"random-projection({p.Dimensions})",
            _ => "none",
        };
        return new RowReducer(applied, width);
    }

    /// <summary>FNV-1a: string.GetHashCode is randomised per process, which would break run-to-run identity.</summary>
    private static int StableHash(string s)
    {
        uint h = 2166136261;
        foreach (char ch in s) h = (h ^ ch) * 16777619;
        return (int)(h & 0x7fffffff);
    }
}
