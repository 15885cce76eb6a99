namespace ModelAudit.Graphs;

/// <summary>
/// A graph as NetworkX holds it inside Louvain: nodes 0..n-1, ordered adjacency (insertion order), summed
/// weights; directed graphs also keep predecessor lists. Kept separate from the CSR graph because each Louvain
/// level builds one by accumulating edges, and the iteration orders must follow NetworkX's dictionaries for
/// the floating sums and tie-breaks to agree with it.
/// </summary>
internal sealed class LouvainLevelGraph
{
    private LouvainLevelGraph(int nodeCount, bool directed, int[][] neighbours, double[][] weights,
        int[][]? predecessors, double[][]? predecessorWeights)
    {
        NodeCount = nodeCount;
        Directed = directed;
        Neighbours = neighbours;
        Weights = weights;
        Predecessors = predecessors;
        PredecessorWeights = predecessorWeights;
    }

    public int NodeCount { get; }

    public bool Directed { get; }

    /// <summary>Successors (directed) or neighbours (undirected, a self-loop listed once), in insertion order.</summary>
    public int[][] Neighbours { get; }

    public double[][] Weights { get; }

    /// <summary>Predecessors in insertion order; null for undirected graphs.</summary>
    public int[][]? Predecessors { get; }

    public double[][]? PredecessorWeights { get; }

    /// <summary>NetworkX's copy <c>graph.add_weighted_edges_from(G.edges(data=weight))</c> of a CSR graph.</summary>
    public static LouvainLevelGraph FromGraph(WeightedDigraph graph, CancellationToken cancellationToken = default)
    {
        var builder = new Builder(graph.NodeCount, !graph.IsUndirected);
        for (int u = 0; u < graph.NodeCount; u++)
        {
            // Building a level of a large graph allocates per node and can take seconds: check every 1024 nodes.
            if (u % 1024 == 0) cancellationToken.ThrowIfCancellationRequested();
            var targets = graph.Successors(u);
            var weights = graph.SuccessorWeights(u);
            for (int i = 0; i < targets.Length; i++)
            {
                // NetworkX's undirected edge view yields {u, v} from the first endpoint it visits.
                if (!graph.IsUndirected || targets[i] >= u)
                {
                    builder.Add(u, targets[i], weights[i]);
                }
            }
        }

        return builder.Build();
    }

    /// <summary>Edges in NetworkX <c>G.edges()</c> order: by source, then adjacency order; undirected edges once.</summary>
    public IEnumerable<(int From, int To, double Weight)> Edges()
    {
        for (int u = 0; u < NodeCount; u++)
        {
            for (int i = 0; i < Neighbours[u].Length; i++)
            {
                if (Directed || Neighbours[u][i] >= u)
                {
                    yield return (u, Neighbours[u][i], Weights[u][i]);
                }
            }
        }
    }

    /// <summary>
    /// NetworkX weighted degrees: undirected, the neighbour weights summed in order plus a self-loop again;
    /// directed, out (successors) and in (predecessors) separately.
    /// </summary>
    public double[] OutDegrees()
    {
        var degrees = new double[NodeCount];
        for (int u = 0; u < NodeCount; u++)
        {
            double sum = 0, selfLoop = 0;
            for (int i = 0; i < Neighbours[u].Length; i++)
            {
                sum += Weights[u][i];
                if (Neighbours[u][i] == u)
                {
                    selfLoop = Weights[u][i];
                }
            }

            degrees[u] = Directed ? sum : sum + selfLoop;
        }

        return degrees;
    }

    public double[] InDegrees()
    {
        if (!Directed)
        {
            return OutDegrees();
        }

        var degrees = new double[NodeCount];
        for (int u = 0; u < NodeCount; u++)
        {
            double sum = 0;
            foreach (double w in PredecessorWeights![u])
            {
                sum += w;
            }

            degrees[u] = sum;
        }

        return degrees;
    }

    /// <summary>NetworkX <c>G.size(weight)</c>: total edge weight (half the degree sum).</summary>
    public double TotalWeight()
    {
        var outDegrees = OutDegrees();
        var inDegrees = Directed ? InDegrees() : null;
        double sum = 0;
        for (int u = 0; u < NodeCount; u++)
        {
            sum += Directed ? outDegrees[u] + inDegrees![u] : outDegrees[u];
        }

        return sum / 2;
    }

    /// <summary>
    /// NetworkX <c>community.modularity</c>: directed Σ_c L_c/m − γ·out_c·in_c/m² with m the total weight;
    /// undirected Σ_c L_c/m − γ·d_c²/(2m)² with each edge counted once in L_c.
    /// </summary>
    public double Modularity(int[] community, double resolution)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(community.Length, NodeCount);
        var outDegrees = OutDegrees();
        var inDegrees = InDegrees();
        double degreeSum = 0;
        foreach (double d in outDegrees)
        {
            degreeSum += d;
        }

        double m = Directed ? degreeSum : degreeSum / 2;
        if (m == 0)
        {
            throw new ArgumentException("Modularity is undefined for a graph with zero total weight.");
        }

        double norm = 1 / (Directed ? m * m : degreeSum * degreeSum);
        var internalWeight = new Dictionary<int, double>();
        var outSum = new Dictionary<int, double>();
        var inSum = new Dictionary<int, double>();
        var labelsInOrder = new List<int>();
        for (int u = 0; u < NodeCount; u++)
        {
            int c = community[u];
            if (!outSum.ContainsKey(c))
            {
                labelsInOrder.Add(c);
                outSum[c] = 0;
                inSum[c] = 0;
                internalWeight[c] = 0;
            }

            outSum[c] += outDegrees[u];
            inSum[c] += inDegrees[u];
        }

        foreach (var (from, to, weight) in Edges())
        {
            if (community[from] == community[to])
            {
                internalWeight[community[from]] += weight;
            }
        }

        double q = 0;
        foreach (int c in labelsInOrder)
        {
            q += internalWeight[c] / m - resolution * outSum[c] * inSum[c] * norm;
        }

        return q;
    }

    /// <summary>Accumulates edges into ordered adjacency; a repeated edge adds to its weight in place.</summary>
    internal sealed class Builder
    {
        private readonly bool _directed;
        private readonly List<int>[] _neighbours;
        private readonly List<double>[] _weights;
        private readonly Dictionary<int, int>[] _position;
        private readonly List<int>[]? _predecessors;
        private readonly List<double>[]? _predecessorWeights;
        private readonly Dictionary<int, int>[]? _predecessorPosition;

        public Builder(int nodeCount, bool directed)
        {
            _directed = directed;
            _neighbours = NewArray<List<int>>(nodeCount);
            _weights = NewArray<List<double>>(nodeCount);
            _position = NewArray<Dictionary<int, int>>(nodeCount);
            if (directed)
            {
                _predecessors = NewArray<List<int>>(nodeCount);
                _predecessorWeights = NewArray<List<double>>(nodeCount);
                _predecessorPosition = NewArray<Dictionary<int, int>>(nodeCount);
            }
        }

        /// <summary>NetworkX <c>add_edge(u, v, weight = w + existing)</c>.</summary>
        public void Add(int from, int to, double weight)
        {
            double total = Accumulate(_neighbours[from], _weights[from], _position[from], to, weight);
            if (_directed)
            {
                Accumulate(_predecessors![to], _predecessorWeights![to], _predecessorPosition![to], from, weight);
            }
            else if (from != to)
            {
                // Both directions share one edge attribute dict in NetworkX: store the same total.
                int back = Position(_neighbours[to], _weights[to], _position[to], from);
                _weights[to][back] = total;
            }
        }

        public LouvainLevelGraph Build() => new(_neighbours.Length, _directed,
            _neighbours.Select(l => l.ToArray()).ToArray(), _weights.Select(l => l.ToArray()).ToArray(),
            _predecessors?.Select(l => l.ToArray()).ToArray(), _predecessorWeights?.Select(l => l.ToArray()).ToArray());

        private static double Accumulate(List<int> nodes, List<double> weights, Dictionary<int, int> position, int node, double weight)
        {
            int i = Position(nodes, weights, position, node);
            weights[i] = weight + weights[i];
            return weights[i];
        }

        private static int Position(List<int> nodes, List<double> weights, Dictionary<int, int> position, int node)
        {
            if (!position.TryGetValue(node, out int i))
            {
                i = nodes.Count;
                position.Add(node, i);
                nodes.Add(node);
                weights.Add(0);
            }

            return i;
        }

        private static T[] NewArray<T>(int count) where T : new()
        {
            var array = new T[count];
            for (int i = 0; i < count; i++)
            {
                array[i] = new T();
            }

            return array;
        }
    }
}
