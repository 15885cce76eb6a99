namespace ModelAudit.Tensors.Operations;

/// <summary>How Softmax and LogSoftmax view their input as [outer, axis, inner].</summary>
internal static class SoftmaxAxes
{
    /// <summary>
    /// With <paramref name="coerceTo2D"/> (opset &lt; 13) the input is flattened to
    /// [prod(dims &lt; axis), prod(dims &gt;= axis)] and normalised over the second; otherwise over one axis.
    /// </summary>
    public static (int Outer, int AxisLength, int Inner) Split(string kind, int axis, bool coerceTo2D, TensorShape x)
    {
        int a;
        if (coerceTo2D && x.Rank > 0 && axis == x.Rank) a = axis;
        else if (x.Rank == 0) throw new ShapeMismatchException($"{kind} needs an input of rank >= 1, got {x}.");
        else a = OperationChecks.Axis(kind, axis, x);
        int outer = 1, inner = 1;
        for (int d = 0; d < a; d++) outer *= x[d];
        if (coerceTo2D)
        {
            int rest = 1;
            for (int d = a; d < x.Rank; d++) rest *= x[d];
            return (outer, rest, 1);
        }
        for (int d = a + 1; d < x.Rank; d++) inner *= x[d];
        return (outer, x[a], inner);
    }
}
