namespace ModelAudit.Estimators;

/// <summary>Applies a <see cref="Reduction"/> to a representation and records which one was used.</summary>
public static class RepresentationReducer
{
    /// <summary>Reduces <paramref name="x"/> with <paramref name="reduction"/>.</summary>
    public static ReducedSamples Apply(SampleMatrix x, Reduction reduction)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (reduction is Reduction.None)
        {
            return new ReducedSamples(x, reduction, x.Cols);
        }

        var reducer = new RowReducer(reduction, x.Cols);
        var reduced = new float[x.Rows * reducer.OutputColumns];
        reducer.Reduce(x.Data, x.Rows, reduced);
        return new ReducedSamples(new SampleMatrix(reduced, x.Rows, reducer.OutputColumns), reduction, x.Cols);
    }
}
