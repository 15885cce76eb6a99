namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// The k largest (or smallest) elements along the middle axis of x viewed as [outer, axisLength, inner],
/// sorted, ties broken by the lower index (ONNX TopK). Indices are written as float32 whole numbers.
/// </summary>
internal static class TopK
{
    /// <summary>values/indices [outer, k, inner] from x [outer, axisLength, inner].</summary>
    public static void Forward(int outer, int axisLength, int inner, int k, bool largest, ReadOnlySpan<float> x, Span<float> values, Span<float> indices)
    {
        KernelGuard.RequirePositive(k, nameof(k));
        if (k > axisLength) throw new ArgumentOutOfRangeException(nameof(k), $"k {k} is larger than the axis ({axisLength}).");
        KernelGuard.RequireLength(x.Length, (long)outer * axisLength * inner, nameof(x));
        KernelGuard.RequireLength(values.Length, (long)outer * k * inner, nameof(values));
        KernelGuard.RequireLength(indices.Length, (long)outer * k * inner, nameof(indices));
        var order = new int[axisLength];
        var slice = new float[axisLength];
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                for (int a = 0; a < axisLength; a++)
                {
                    slice[a] = x[(o * axisLength + a) * inner + i];
                    order[a] = a;
                }
                // A stable sort by value keeps equal elements in index order.
                var keys = slice;
                Array.Sort(order, (p, q) =>
                {
                    int c = largest ? keys[q].CompareTo(keys[p]) : keys[p].CompareTo(keys[q]);
                    return c != 0 ? c : p.CompareTo(q);
                });
                for (int j = 0; j < k; j++)
                {
                    int dst = (o * k + j) * inner + i;
                    values[dst] = slice[order[j]];
                    indices[dst] = order[j];
                }
            }
        }
    }

    /// <summary>dx = dvalues scattered to the selected positions (overwrites dx).</summary>
    public static void Backward(int outer, int axisLength, int inner, int k, ReadOnlySpan<float> indices, ReadOnlySpan<float> dValues, Span<float> dx)
    {
        KernelGuard.RequireLength(dx.Length, (long)outer * axisLength * inner, nameof(dx));
        KernelGuard.RequireLength(dValues.Length, (long)outer * k * inner, nameof(dValues));
        dx.Clear();
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < k; j++)
                for (int i = 0; i < inner; i++)
                {
                    int src = (o * k + j) * inner + i;
                    dx[(o * axisLength + (int)indices[src]) * inner + i] += dValues[src];
                }
    }
}
