namespace ModelAudit.Graphs;

/// <summary>
/// Collects weighted edges for a <see cref="WeightedDigraph"/>. Parallel edges (the same ordered pair added
/// more than once) are merged by summing their weights; the merged edge keeps the position of its first
/// addition, so adjacency order is the order of first insertion (as in NetworkX).
/// </summary>
public sealed class WeightedDigraphBuilder
{
    private readonly string[]? _labels;
    private readonly Dictionary<(int From, int To), int> _edgeIndex = new();
    private readonly List<int> _from = new();
    private readonly List<int> _to = new();
    private readonly List<double> _weight = new();

    /// <summary>Starts a graph with nodes 0..<paramref name="nodeCount"/>-1 and no labels.</summary>
    public WeightedDigraphBuilder(int nodeCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodeCount);
        NodeCount = nodeCount;
    }

    /// <summary>Starts a graph with one node per label; node i carries <paramref name="labels"/>[i].</summary>
    public WeightedDigraphBuilder(IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        NodeCount = labels.Count;
        _labels = labels.ToArray();
    }

    /// <summary>Number of nodes of the graph being built.</summary>
    public int NodeCount { get; }

    /// <summary>Number of distinct directed edges added so far (parallel edges count once).</summary>
    public int EdgeCount => _from.Count;

    /// <summary>Adds the edge <paramref name="from"/> → <paramref name="to"/>; a repeated pair adds to the existing weight.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A node is out of range or the weight is not finite.</exception>
    public void Add(int from, int to, double weight)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(from, NodeCount);
        ArgumentOutOfRangeException.ThrowIfNegative(to);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(to, NodeCount);
        if (!double.IsFinite(weight))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "Edge weights must be finite.");
        }

        if (_edgeIndex.TryGetValue((from, to), out int existing))
        {
            _weight[existing] += weight;
            return;
        }

        _edgeIndex.Add((from, to), _from.Count);
        _from.Add(from);
        _to.Add(to);
        _weight.Add(weight);
    }

    /// <summary>Freezes the edges into a directed graph with CSR adjacency.</summary>
    public WeightedDigraph Build() =>
        WeightedDigraph.FromEdgeList(NodeCount, _labels, _from.ToArray(), _to.ToArray(), _weight.ToArray(), isUndirected: false);
}
