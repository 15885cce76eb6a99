namespace ModelAudit.Graphs;

/// <summary>
/// Indexed 4-ary min-heap of nodes keyed by (distance, push counter), with decrease-key. NetworkX pushes a
/// new (distance, counter) tuple on every improvement and skips stale ones when popped; as a node's live tuple
/// is always its latest (smallest) one, decreasing the key in place pops nodes in exactly NetworkX's order
/// while keeping the heap at most n entries.
/// </summary>
internal sealed class PathHeap
{
    // Keys live inside the heap entries so sifting compares contiguous memory instead of chasing node ids.
    private readonly Entry[] _heap;
    private readonly int[] _position;
    private int _pushCounter;

    public PathHeap(int nodeCount)
    {
        _heap = new Entry[nodeCount];
        _position = new int[nodeCount];
        Array.Fill(_position, -1);
    }

    public int Count { get; private set; }

    /// <summary>Empties the heap; the push counter restarts as NetworkX's does for each source.</summary>
    public void Clear()
    {
        for (int i = 0; i < Count; i++)
        {
            _position[_heap[i].Node] = -1;
        }

        Count = 0;
        _pushCounter = 0;
    }

    /// <summary>Inserts <paramref name="node"/> or lowers its key; the new key is always smaller than a present one.</summary>
    public void PushOrDecrease(int node, double distance)
    {
        var entry = new Entry(distance, _pushCounter++, node);
        int i = _position[node];
        if (i < 0)
        {
            i = Count++;
        }

        SiftUp(entry, i);
    }

    public int Pop()
    {
        int top = _heap[0].Node;
        _position[top] = -1;
        var last = _heap[--Count];
        if (Count > 0)
        {
            SiftDown(last, 0);
        }

        return top;
    }

    private void SiftUp(Entry entry, int i)
    {
        var heap = _heap;
        while (i > 0)
        {
            int parent = (i - 1) >> 2;
            if (!Less(entry, heap[parent]))
            {
                break;
            }

            heap[i] = heap[parent];
            _position[heap[i].Node] = i;
            i = parent;
        }

        heap[i] = entry;
        _position[entry.Node] = i;
    }

    private void SiftDown(Entry entry, int i)
    {
        var heap = _heap;
        int count = Count;
        while (true)
        {
            int first = 4 * i + 1;
            if (first >= count)
            {
                break;
            }

            int child = first;
            int end = Math.Min(first + 4, count);
            for (int c = first + 1; c < end; c++)
            {
                if (Less(heap[c], heap[child]))
                {
                    child = c;
                }
            }

            if (!Less(heap[child], entry))
            {
                break;
            }

            heap[i] = heap[child];
            _position[heap[i].Node] = i;
            i = child;
        }

        heap[i] = entry;
        _position[entry.Node] = i;
    }

    private static bool Less(in Entry a, in Entry b) =>
        a.Distance < b.Distance || (a.Distance == b.Distance && a.Sequence < b.Sequence);

    // 16 bytes: a node's four children share one cache line. Pushes per source are at most m + 1 < 2^31.
    private readonly record struct Entry(double Distance, int Sequence, int Node);
}
