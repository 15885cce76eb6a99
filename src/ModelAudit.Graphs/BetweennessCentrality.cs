namespace ModelAudit.Graphs;

/// <summary>
/// Shortest-path betweenness centrality of every node by Brandes' algorithm (BFS for unweighted lengths,
/// Dijkstra with a binary heap otherwise), with the conventions of NetworkX
/// <c>betweenness_centrality(G, weight, normalized, endpoints)</c>: the same path-length sums and exact tie
/// test, the same rescaling (1/((n-1)(n-2)) when normalized; 1/(n(n-1)) with endpoints; 1/2 for unnormalized
/// undirected graphs, whose pairs are counted from both ends).
/// </summary>
public sealed class BetweennessCentrality
{
    // Sources are split into a fixed number of contiguous chunks, each with its own partial sums, added in
    // chunk order: the result does not depend on the core count or on scheduling.
    private const int SourceChunks = 8;

    private readonly WeightedDigraph _graph;
    private readonly EdgeLength _lengthKind;
    private readonly bool _normalized;
    private readonly bool _endpoints;
    private double[]? _values;

    /// <summary>Prepares the computation; <see cref="Compute"/> runs it.</summary>
    /// <param name="graph">The graph; edge weights are flows (higher = closer unless <paramref name="lengthKind"/> is unweighted).</param>
    /// <param name="lengthKind">How weights become path lengths.</param>
    /// <param name="normalized">Divide by the number of ordered pairs not containing the node, as NetworkX does.</param>
    /// <param name="endpoints">Count the endpoints of each path as lying on it.</param>
    /// <param name="directed">False: use <see cref="WeightedDigraph.ToUndirected"/> of the graph. An undirected graph is always treated as undirected.</param>
    public BetweennessCentrality(WeightedDigraph graph, EdgeLength lengthKind = EdgeLength.InverseWeight,
        bool normalized = true, bool endpoints = false, bool directed = true)
    {
        ArgumentNullException.ThrowIfNull(graph);
        _graph = directed ? graph : graph.ToUndirected();
        _lengthKind = lengthKind;
        _normalized = normalized;
        _endpoints = endpoints;
    }

    /// <summary>Betweenness of each node, indexed by node.</summary>
    /// <exception cref="InvalidOperationException"><see cref="Compute"/> has not run.</exception>
    public double[] Values => _values ?? throw new InvalidOperationException("Call Compute() first.");

    /// <summary>Runs Brandes' algorithm from every source.</summary>
    /// <param name="cancellationToken">Checked before each source's search.</param>
    /// <exception cref="ArgumentException">A weighted length kind meets a negative edge weight.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public void Compute(CancellationToken cancellationToken = default)
    {
        int n = _graph.NodeCount;
        double[]? lengths = _lengthKind == EdgeLength.Unweighted ? null : EdgeLengths(_graph.Weights, _lengthKind);
        int chunks = Math.Max(1, Math.Min(SourceChunks, n));
        var partials = new double[chunks][];
        Parallel.For(0, chunks, new ParallelOptions { CancellationToken = cancellationToken }, chunk =>
        {
            var search = new SingleSourceSearch(_graph, lengths);
            var partial = new double[n];
            int first = (int)((long)n * chunk / chunks), end = (int)((long)n * (chunk + 1) / chunks);
            for (int source = first; source < end; source++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                search.Run(source);
                search.Accumulate(partial, _endpoints);
            }

            partials[chunk] = partial;
        });

        var values = new double[n];
        foreach (var partial in partials)
        {
            for (int v = 0; v < n; v++)
            {
                values[v] += partial[v];
            }
        }

        double? scale = Scale(n, _normalized, directed: !_graph.IsUndirected, _endpoints);
        if (scale is double s)
        {
            for (int v = 0; v < n; v++)
            {
                values[v] *= s;
            }
        }

        _values = values;
    }

    /// <summary>Per-CSR-entry lengths; +infinity marks an absent (zero-weight) edge.</summary>
    private static double[] EdgeLengths(double[] weights, EdgeLength kind)
    {
        double maxWeight = 0;
        foreach (double w in weights)
        {
            if (w < 0)
            {
                throw new ArgumentException($"Weighted betweenness needs nonnegative weights; found {w}.");
            }

            maxWeight = Math.Max(maxWeight, w);
        }

        var lengths = new double[weights.Length];
        for (int e = 0; e < weights.Length; e++)
        {
            double w = weights[e];
            lengths[e] = w == 0 ? double.PositiveInfinity
                : kind == EdgeLength.InverseWeight ? 1 / w
                : -Math.Log(w / maxWeight);
        }

        return lengths;
    }

    /// <summary>NetworkX <c>_rescale</c> (without sampling); null means no scaling.</summary>
    private static double? Scale(int n, bool normalized, bool directed, bool endpoints)
    {
        if (normalized)
        {
            if (endpoints)
            {
                return n < 2 ? null : 1.0 / ((double)n * (n - 1));
            }

            return n <= 2 ? null : 1.0 / ((double)(n - 1) * (n - 2));
        }

        return directed ? null : 0.5;
    }
}
