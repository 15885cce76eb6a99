namespace ModelAudit.Nif;

/// <summary>
/// A[i, j] = sum over paths from input feature i to class j of the product of edge flows. In a layered
/// graph every path takes one edge per layer pair, so A is the product of the per-layer flow matrices.
/// </summary>
internal static class FlowAttribution
{
    /// <summary>F_1 F_2 ... F_L, each F_l a [units_l][units_{l+1}] matrix.</summary>
    public static double[][] Product(IReadOnlyList<double[][]> flowMatrices)
    {
        ArgumentNullException.ThrowIfNull(flowMatrices);
        if (flowMatrices.Count == 0) throw new ArgumentException("At least one flow matrix is needed.", nameof(flowMatrices));
        var result = flowMatrices[0].Select(r => (double[])r.Clone()).ToArray();
        for (int l = 1; l < flowMatrices.Count; l++)
        {
            var next = flowMatrices[l];
            int cols = next.Length == 0 ? 0 : next[0].Length;
            var product = new double[result.Length][];
            for (int i = 0; i < result.Length; i++)
            {
                product[i] = new double[cols];
                if (result[i].Length != next.Length)
                    throw new ArgumentException($"Flow matrix {l} has {next.Length} rows; the previous product has {result[i].Length} columns.", nameof(flowMatrices));
                for (int k = 0; k < next.Length; k++)
                {
                    double v = result[i][k];
                    if (v == 0) continue;
                    for (int j = 0; j < cols; j++) product[i][j] += v * next[k][j];
                }
            }
            result = product;
        }
        return result;
    }
}
