namespace ModelAudit.Graphs;

/// <summary>
/// An immutable weighted graph on nodes 0..n-1 with adjacency in compressed sparse row (CSR) arrays.
/// Directed graphs store each edge once under its source. Undirected graphs (from <see cref="ToUndirected"/>)
/// store each edge {u, v} under both endpoints and a self-loop once. Within a node, neighbours appear in the
/// order their edge was first inserted, which is the order NetworkX iterates <c>G[u]</c>.
/// </summary>
public sealed class WeightedDigraph
{
    private readonly string[]? _labels;

    private WeightedDigraph(int nodeCount, string[]? labels, int[] edgeFrom, int[] edgeTo, double[] edgeWeight,
        bool isUndirected, int[] rowStart, int[] targets, double[] weights)
    {
        NodeCount = nodeCount;
        _labels = labels;
        EdgeFrom = edgeFrom;
        EdgeTo = edgeTo;
        EdgeWeight = edgeWeight;
        IsUndirected = isUndirected;
        RowStart = rowStart;
        Targets = targets;
        Weights = weights;
    }

    /// <summary>Number of nodes.</summary>
    public int NodeCount { get; }

    /// <summary>Number of edges: directed edges, or undirected edges (self-loops included once).</summary>
    public int EdgeCount => EdgeFrom.Length;

    /// <summary>True when this graph came from <see cref="ToUndirected"/> (symmetric adjacency).</summary>
    public bool IsUndirected { get; }

    /// <summary>Node labels, or null when the graph was built without labels.</summary>
    public IReadOnlyList<string>? Labels => _labels;

    /// <summary>Edges in insertion order (undirected: each edge once, in its first-seen orientation).</summary>
    internal int[] EdgeFrom { get; }

    internal int[] EdgeTo { get; }

    internal double[] EdgeWeight { get; }

    /// <summary>CSR row offsets: the neighbours of u are <c>Targets[RowStart[u]..RowStart[u+1]]</c>.</summary>
    internal int[] RowStart { get; }

    internal int[] Targets { get; }

    internal double[] Weights { get; }

    /// <summary>Out-neighbours of <paramref name="node"/> (all neighbours for an undirected graph).</summary>
    public ReadOnlySpan<int> Successors(int node) => Targets.AsSpan(RowStart[node], RowStart[node + 1] - RowStart[node]);

    /// <summary>Weights of the edges to <see cref="Successors"/>, in the same order.</summary>
    public ReadOnlySpan<double> SuccessorWeights(int node) => Weights.AsSpan(RowStart[node], RowStart[node + 1] - RowStart[node]);

    /// <summary>
    /// The undirected graph on the same nodes where edge {u, v} weighs w(u→v) + w(v→u) (a self-loop keeps its
    /// weight). Note: NetworkX <c>to_undirected</c> keeps one of the two weights instead of summing; goldens build
    /// the summed graph explicitly. Edges keep the order of their first directed occurrence. Returns this
    /// graph when it is already undirected.
    /// </summary>
    public WeightedDigraph ToUndirected()
    {
        if (IsUndirected)
        {
            return this;
        }

        var index = new Dictionary<(int, int), int>(EdgeFrom.Length);
        var from = new List<int>(EdgeFrom.Length);
        var to = new List<int>(EdgeFrom.Length);
        var weight = new List<double>(EdgeFrom.Length);
        for (int e = 0; e < EdgeFrom.Length; e++)
        {
            int u = EdgeFrom[e], v = EdgeTo[e];
            var key = u <= v ? (u, v) : (v, u);
            if (index.TryGetValue(key, out int existing))
            {
                weight[existing] += EdgeWeight[e];
                continue;
            }

            index.Add(key, from.Count);
            from.Add(u);
            to.Add(v);
            weight.Add(EdgeWeight[e]);
        }

        return FromEdgeList(NodeCount, _labels, from.ToArray(), to.ToArray(), weight.ToArray(), isUndirected: true);
    }

    /// <summary>Builds the CSR arrays by a stable counting sort of the (half-)edges in insertion order.</summary>
    internal static WeightedDigraph FromEdgeList(int nodeCount, string[]? labels, int[] from, int[] to, double[] weight, bool isUndirected)
    {
        var rowStart = new int[nodeCount + 1];
        for (int e = 0; e < from.Length; e++)
        {
            rowStart[from[e] + 1]++;
            if (isUndirected && from[e] != to[e])
            {
                rowStart[to[e] + 1]++;
            }
        }

        for (int u = 0; u < nodeCount; u++)
        {
            rowStart[u + 1] += rowStart[u];
        }

        var cursor = rowStart.AsSpan(0, nodeCount).ToArray();
        var targets = new int[rowStart[nodeCount]];
        var weights = new double[rowStart[nodeCount]];
        for (int e = 0; e < from.Length; e++)
        {
            int u = from[e], v = to[e];
            targets[cursor[u]] = v;
            weights[cursor[u]++] = weight[e];
            if (isUndirected && u != v)
            {
                targets[cursor[v]] = u;
                weights[cursor[v]++] = weight[e];
            }
        }

        return new WeightedDigraph(nodeCount, labels, from, to, weight, isUndirected, rowStart, targets, weights);
    }
}
