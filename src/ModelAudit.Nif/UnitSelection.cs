namespace ModelAudit.Nif;

/// <summary>
/// Which units of a node layer become nodes: all of them when the layer has at most <c>maxUnits</c> units
/// (or <c>maxUnits</c> is 0), else the <c>maxUnits</c> units whose node value (the per-sample spatial mean)
/// varies most over the audit samples, ties to the lower index. Deterministic: a function of the data only.
/// </summary>
internal static class UnitSelection
{
    /// <summary>Indices of the kept units, increasing.</summary>
    public static int[] HighestVariance(NodeLayer layer, int maxUnits)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentOutOfRangeException.ThrowIfNegative(maxUnits);
        if (maxUnits == 0 || layer.Units <= maxUnits) return [.. Enumerable.Range(0, layer.Units)];
        var variance = new double[layer.Units];
        for (int u = 0; u < layer.Units; u++) variance[u] = Variance(layer.Columns[u]);
        // Descending variance, then ascending index: a total order, so the choice never depends on sort stability.
        var order = Enumerable.Range(0, layer.Units).OrderByDescending(u => variance[u]).ThenBy(u => u);
        return [.. order.Take(maxUnits).Order()];
    }

    /// <summary>Population variance in double precision (two passes).</summary>
    internal static double Variance(float[] values)
    {
        double mean = 0;
        foreach (var v in values) mean += v;
        mean /= values.Length;
        double ss = 0;
        foreach (var v in values) ss += (v - mean) * (v - mean);
        return ss / values.Length;
    }
}
