namespace ModelAudit.Graphs;

/// <summary>Newman modularity of a partition, as NetworkX <c>community.modularity(G, communities, weight, resolution)</c>.</summary>
public static class Modularity
{
    /// <summary>
    /// Directed: Q = Σ_ij (A_ij − γ k_i^out k_j^in / m) δ(c_i, c_j) / m, m = total weight.
    /// Undirected (on <see cref="WeightedDigraph.ToUndirected"/>): Q = Σ_ij (A_ij − γ k_i k_j / 2m) δ(c_i, c_j) / 2m,
    /// a self-loop adding twice its weight to its node's degree.
    /// </summary>
    /// <param name="graph">The weighted graph.</param>
    /// <param name="communities">Community label of each node (any integers; equal labels = same community).</param>
    /// <param name="resolution">γ.</param>
    /// <param name="directed">False: use the undirected formula on the summed undirected graph. An undirected graph always uses it.</param>
    /// <exception cref="ArgumentException">The labels do not cover every node, or the total weight is zero.</exception>
    public static double Compute(WeightedDigraph graph, int[] communities, double resolution = 1, bool directed = true)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(communities);
        if (communities.Length != graph.NodeCount)
        {
            throw new ArgumentException($"Expected {graph.NodeCount} community labels, got {communities.Length}.", nameof(communities));
        }

        var level = LouvainLevelGraph.FromGraph(directed ? graph : graph.ToUndirected());
        return level.Modularity(communities, resolution);
    }
}
