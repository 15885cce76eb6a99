namespace ModelAudit.Graphs;

/// <summary>
/// Louvain community detection, step for step NetworkX 2.8 <c>louvain_communities(G, weight, resolution,
/// threshold, seed)</c>: each level visits the nodes in an order shuffled by Python's Mersenne Twister seeded
/// with <c>seed</c>, moves each node to the neighbouring community of largest positive modularity gain until a
/// sweep moves nothing, then aggregates communities into nodes; it stops when a level raises modularity by no
/// more than <c>threshold</c>. Undirected by default; <c>directed: true</c> uses NetworkX's directed gain.
/// </summary>
public sealed class LouvainCommunities
{
    /// <summary>Node visits between two cancellation checks inside a sweep.</summary>
    private const int CancellationStride = 1024;

    private readonly WeightedDigraph _graph;
    private readonly double _resolution;
    private readonly double _threshold;
    private readonly int _seed;
    private int[]? _communities;

    /// <summary>Prepares the computation; <see cref="Compute"/> runs it.</summary>
    /// <param name="graph">Graph with nonnegative weights; undirected use sums w(u→v) + w(v→u) (<see cref="WeightedDigraph.ToUndirected"/>).</param>
    /// <param name="resolution">γ: below 1 favours larger communities, above 1 smaller ones.</param>
    /// <param name="threshold">Minimum modularity gain of a level to continue to the next.</param>
    /// <param name="seed">Seed of the node visiting order (same meaning as NetworkX's integer seed).</param>
    /// <param name="directed">Use the directed modularity gain (ignored for an undirected graph).</param>
    public LouvainCommunities(WeightedDigraph graph, double resolution = 1, double threshold = 1e-7, int seed = 0, bool directed = false)
    {
        ArgumentNullException.ThrowIfNull(graph);
        _graph = directed ? graph : graph.ToUndirected();
        _resolution = resolution;
        _threshold = threshold;
        _seed = seed;
    }

    /// <summary>Community of each node, numbered 0..k-1 in order of each community's smallest node.</summary>
    /// <exception cref="InvalidOperationException"><see cref="Compute"/> has not run.</exception>
    public int[] Communities => _communities ?? throw new InvalidOperationException("Call Compute() first.");

    /// <summary>Modularity of <see cref="Communities"/> on the graph (directed or undirected as computed).</summary>
    public double Modularity { get; private set; }

    /// <summary>Number of levels (partitions NetworkX's <c>louvain_partitions</c> yields).</summary>
    public int Levels { get; private set; }

    /// <summary>Runs the levels until the modularity gain falls to the threshold or no node moves.</summary>
    /// <param name="cancellationToken">Checked between the linear passes of a level, between sweeps and every <see cref="CancellationStride"/> nodes.</param>
    /// <exception cref="ArgumentException">The graph's total edge weight is zero (modularity undefined, as in NetworkX).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public void Compute(CancellationToken cancellationToken = default)
    {
        int n = _graph.NodeCount;
        var random = new PythonRandom(_seed);
        var level = LouvainLevelGraph.FromGraph(_graph, cancellationToken);
        double m = level.TotalWeight();
        var nodeOfOriginal = Enumerable.Range(0, n).ToArray();
        double modularity = level.Modularity(Enumerable.Range(0, n).ToArray(), _resolution);
        // As NetworkX: the first level's partition always counts, even when no node moved.
        var (communityOfNode, _) = OneLevel(level, m, random, cancellationToken);
        int[] partition;
        int levels = 0;
        while (true)
        {
            partition = new int[n];
            for (int x = 0; x < n; x++)
            {
                partition[x] = communityOfNode[nodeOfOriginal[x]];
            }

            levels++;
            cancellationToken.ThrowIfCancellationRequested();
            double newModularity = level.Modularity(communityOfNode, _resolution);
            if (newModularity - modularity <= _threshold)
            {
                break;
            }

            modularity = newModularity;
            cancellationToken.ThrowIfCancellationRequested();
            level = Aggregate(level, communityOfNode, cancellationToken);
            nodeOfOriginal = partition;
            (communityOfNode, bool moved) = OneLevel(level, m, random, cancellationToken);
            if (!moved)
            {
                break;
            }
        }

        _communities = Relabel(partition);
        Levels = levels;
        Modularity = LouvainLevelGraph.FromGraph(_graph, cancellationToken).Modularity(_communities, _resolution);
    }

    /// <summary>
    /// One NetworkX <c>_one_level</c> pass. Returns each node's community numbered by rank of the surviving
    /// community ids (NetworkX filters empty communities keeping their order) and whether any node moved.
    /// </summary>
    private (int[] Community, bool Improvement) OneLevel(LouvainLevelGraph graph, double m, PythonRandom random, CancellationToken cancellationToken)
    {
        int n = graph.NodeCount;
        bool directed = graph.Directed;
        var community = Enumerable.Range(0, n).ToArray();
        var outDegrees = graph.OutDegrees();
        var inDegrees = graph.InDegrees();
        var totalOut = (double[])outDegrees.Clone();
        var totalIn = directed ? (double[])inDegrees.Clone() : totalOut;
        var (neighbourNodes, neighbourWeights) = MoveNeighbours(graph, cancellationToken);

        var order = Enumerable.Range(0, n).ToArray();
        random.Shuffle(order);

        // weights2com in NetworkX is an insertion-ordered dict; ties in gain go to the first community listed.
        var weightToCommunity = new double[n];
        var listed = new bool[n];
        var listedOrder = new List<int>();
        bool improvement = false;
        int moves = 1;
        double mSquared = m * m;
        int visits = 0;
        while (moves > 0)
        {
            moves = 0;
            cancellationToken.ThrowIfCancellationRequested();
            foreach (int u in order)
            {
                // A sweep over a large level can take seconds: check within it, cheaply.
                if (++visits % CancellationStride == 0) cancellationToken.ThrowIfCancellationRequested();
                double bestGain = 0;
                int bestCommunity = community[u];
                foreach (int c in listedOrder)
                {
                    listed[c] = false;
                    weightToCommunity[c] = 0;
                }

                listedOrder.Clear();
                var nodes = neighbourNodes[u];
                var weights = neighbourWeights[u];
                for (int i = 0; i < nodes.Length; i++)
                {
                    int c = community[nodes[i]];
                    if (!listed[c])
                    {
                        listed[c] = true;
                        listedOrder.Add(c);
                    }

                    weightToCommunity[c] += weights[i];
                }

                if (!listed[bestCommunity])
                {
                    listed[bestCommunity] = true;
                    listedOrder.Add(bestCommunity);
                }

                double outDegree = outDegrees[u], inDegree = inDegrees[u];
                double removeCost;
                if (directed)
                {
                    totalIn[bestCommunity] -= inDegree;
                    totalOut[bestCommunity] -= outDegree;
                    removeCost = -weightToCommunity[bestCommunity] / m
                        + _resolution * (outDegree * totalIn[bestCommunity] + inDegree * totalOut[bestCommunity]) / mSquared;
                }
                else
                {
                    totalOut[bestCommunity] -= outDegree;
                    removeCost = -weightToCommunity[bestCommunity] / m
                        + _resolution * (totalOut[bestCommunity] * outDegree) / (2 * mSquared);
                }

                foreach (int c in listedOrder)
                {
                    double gain = directed
                        ? removeCost + weightToCommunity[c] / m
                            - _resolution * (outDegree * totalIn[c] + inDegree * totalOut[c]) / mSquared
                        : removeCost + weightToCommunity[c] / m
                            - _resolution * (totalOut[c] * outDegree) / (2 * mSquared);
                    if (gain > bestGain)
                    {
                        bestGain = gain;
                        bestCommunity = c;
                    }
                }

                totalOut[bestCommunity] += outDegree;
                if (directed)
                {
                    totalIn[bestCommunity] += inDegree;
                }

                if (bestCommunity != community[u])
                {
                    community[u] = bestCommunity;
                    improvement = true;
                    moves++;
                }
            }
        }

        var rank = new int[n];
        var used = new bool[n];
        foreach (int c in community)
        {
            used[c] = true;
        }

        for (int c = 0, next = 0; c < n; c++)
        {
            rank[c] = used[c] ? next++ : -1;
        }

        for (int u = 0; u < n; u++)
        {
            community[u] = rank[community[u]];
        }

        return (community, improvement);
    }

    /// <summary>
    /// NetworkX's <c>nbrs</c>: undirected, neighbours without the self-loop; directed, successor weights then
    /// predecessor weights summed per node (a self-loop counted from both sides, as NetworkX does).
    /// </summary>
    private static (int[][] Nodes, double[][] Weights) MoveNeighbours(LouvainLevelGraph graph, CancellationToken cancellationToken)
    {
        int n = graph.NodeCount;
        var nodes = new int[n][];
        var weights = new double[n][];
        var position = new Dictionary<int, int>();
        var nodeList = new List<int>();
        var weightList = new List<double>();
        for (int u = 0; u < n; u++)
        {
            if (u % CancellationStride == 0) cancellationToken.ThrowIfCancellationRequested();
            position.Clear();
            nodeList.Clear();
            weightList.Clear();
            void Add(int v, double w)
            {
                if (!position.TryGetValue(v, out int i))
                {
                    i = nodeList.Count;
                    position.Add(v, i);
                    nodeList.Add(v);
                    weightList.Add(0);
                }

                weightList[i] += w;
            }

            for (int i = 0; i < graph.Neighbours[u].Length; i++)
            {
                if (graph.Directed || graph.Neighbours[u][i] != u)
                {
                    Add(graph.Neighbours[u][i], graph.Weights[u][i]);
                }
            }

            if (graph.Directed)
            {
                for (int i = 0; i < graph.Predecessors![u].Length; i++)
                {
                    Add(graph.Predecessors[u][i], graph.PredecessorWeights![u][i]);
                }
            }

            nodes[u] = nodeList.ToArray();
            weights[u] = weightList.ToArray();
        }

        return (nodes, weights);
    }

    /// <summary>NetworkX <c>_gen_graph</c>: one node per community, edge weights summed in edge order.</summary>
    private static LouvainLevelGraph Aggregate(LouvainLevelGraph graph, int[] community, CancellationToken cancellationToken)
    {
        int k = community.Length == 0 ? 0 : community.Max() + 1;
        var builder = new LouvainLevelGraph.Builder(k, graph.Directed);
        int edges = 0;
        foreach (var (from, to, weight) in graph.Edges())
        {
            if (++edges % CancellationStride == 0) cancellationToken.ThrowIfCancellationRequested();
            builder.Add(community[from], community[to], weight);
        }

        return builder.Build();
    }

    /// <summary>Numbers communities 0..k-1 in order of their smallest node.</summary>
    private static int[] Relabel(int[] partition)
    {
        var label = new Dictionary<int, int>();
        var result = new int[partition.Length];
        for (int x = 0; x < partition.Length; x++)
        {
            if (!label.TryGetValue(partition[x], out int l))
            {
                l = label.Count;
                label.Add(partition[x], l);
            }

            result[x] = l;
        }

        return result;
    }
}
