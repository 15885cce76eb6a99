namespace ModelAudit.Graphs;

/// <summary>
/// One source of Brandes' algorithm: shortest-path counts (sigma), predecessor lists and the order nodes are
/// settled, then the dependency accumulation. Mirrors NetworkX's <c>_single_source_shortest_path_basic</c> and
/// <c>_single_source_dijkstra_path_basic</c> step for step (nodes settled in (distance, push counter) order,
/// the same distance sums, exact equality for ties) so tie decisions agree with it on floating lengths.
/// Reusable across sources; only nodes reached by the previous run are reset.
/// </summary>
internal sealed class SingleSourceSearch
{
    private const byte Unseen = 0, Seen = 1, Settled = 2;

    private readonly int[] _rowStart;
    private readonly int[] _targets;
    private readonly double[]? _lengths;
    private readonly double[] _sigma;
    private readonly double[] _distance;
    private readonly int[] _hops;
    private readonly byte[] _state;
    private readonly double[] _delta;
    private readonly int[] _order;
    private readonly int[] _predStart;
    private readonly int[] _predCount;
    private readonly int[] _preds;
    private readonly int[] _pusher;
    private readonly PathHeap _heap;
    private int _orderCount;
    private int _source;

    public SingleSourceSearch(WeightedDigraph graph, double[]? lengths)
    {
        int n = graph.NodeCount;
        _rowStart = graph.RowStart;
        _targets = graph.Targets;
        _lengths = lengths;
        _sigma = new double[n];
        _distance = new double[n];
        _hops = new int[n];
        _state = new byte[n];
        _delta = new double[n];
        _order = new int[n];
        _predCount = new int[n];

        // A node's predecessors are among its in-neighbours, so its in-degree bounds its list.
        _predStart = new int[n + 1];
        foreach (int v in _targets)
        {
            _predStart[v + 1]++;
        }

        for (int v = 0; v < n; v++)
        {
            _predStart[v + 1] += _predStart[v];
        }

        _preds = new int[_targets.Length];
        _pusher = new int[n];
        _heap = new PathHeap(n);
    }

    public void Run(int source)
    {
        for (int i = 0; i < _orderCount; i++)
        {
            int v = _order[i];
            _state[v] = Unseen;
            _sigma[v] = 0;
            _predCount[v] = 0;
            _delta[v] = 0;
        }

        _orderCount = 0;
        _source = source;
        if (_lengths is null)
        {
            RunBreadthFirst(source);
        }
        else
        {
            RunDijkstra(source, _lengths);
        }
    }

    private void RunBreadthFirst(int source)
    {
        // The settled order doubles as the FIFO queue: BFS settles nodes in the order it enqueues them.
        _sigma[source] = 1;
        _hops[source] = 0;
        _state[source] = Settled;
        _order[_orderCount++] = source;
        for (int head = 0; head < _orderCount; head++)
        {
            int v = _order[head];
            int nextHops = _hops[v] + 1;
            double sigmaV = _sigma[v];
            for (int e = _rowStart[v]; e < _rowStart[v + 1]; e++)
            {
                int w = _targets[e];
                if (_state[w] == Unseen)
                {
                    _state[w] = Settled;
                    _hops[w] = nextHops;
                    _order[_orderCount++] = w;
                }

                if (_hops[w] == nextHops)
                {
                    _sigma[w] += sigmaV;
                    _preds[_predStart[w] + _predCount[w]++] = v;
                }
            }
        }
    }

    private void RunDijkstra(int source, double[] lengths)
    {
        var rowStart = _rowStart;
        var targets = _targets;
        var state = _state;
        var distance = _distance;
        var sigma = _sigma;
        var pusher = _pusher;
        var preds = _preds;
        var predStart = _predStart;
        var predCount = _predCount;
        var heap = _heap;
        heap.Clear();
        sigma[source] = 1;
        state[source] = Seen;
        distance[source] = 0;
        pusher[source] = source;
        heap.PushOrDecrease(source, 0);
        while (heap.Count > 0)
        {
            int v = heap.Pop();

            // NetworkX adds the latest pusher's count on settling (so sigma[source] becomes 2; ratios are unchanged).
            sigma[v] += sigma[pusher[v]];
            state[v] = Settled;
            _order[_orderCount++] = v;
            double dist = distance[v];
            for (int e = rowStart[v]; e < rowStart[v + 1]; e++)
            {
                double length = lengths[e];
                if (double.IsPositiveInfinity(length))
                {
                    continue;
                }

                int w = targets[e];
                double candidate = dist + length;
                byte wState = state[w];
                if (wState == Unseen || (wState == Seen && candidate < distance[w]))
                {
                    state[w] = Seen;
                    distance[w] = candidate;
                    pusher[w] = v;
                    heap.PushOrDecrease(w, candidate);
                    sigma[w] = 0;
                    preds[predStart[w]] = v;
                    predCount[w] = 1;
                }
                else if (candidate == distance[w])
                {
                    sigma[w] += sigma[v];
                    preds[predStart[w] + predCount[w]++] = v;
                }
            }
        }
    }

    /// <summary>Adds this source's dependencies to <paramref name="betweenness"/> (NetworkX <c>_accumulate_basic</c> / <c>_accumulate_endpoints</c>).</summary>
    public void Accumulate(double[] betweenness, bool endpoints)
    {
        if (endpoints)
        {
            betweenness[_source] += _orderCount - 1;
        }

        for (int i = _orderCount - 1; i >= 0; i--)
        {
            int w = _order[i];
            double coefficient = (1 + _delta[w]) / _sigma[w];
            int start = _predStart[w];
            for (int p = start; p < start + _predCount[w]; p++)
            {
                int v = _preds[p];
                _delta[v] += _sigma[v] * coefficient;
            }

            if (w != _source)
            {
                betweenness[w] += endpoints ? _delta[w] + 1 : _delta[w];
            }
        }
    }
}
