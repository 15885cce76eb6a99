namespace ModelAudit.Graphs;

/// <summary>
/// Binary min-heap of (distance, push counter, predecessor, node) entries, ordered by distance then push
/// counter. Keys are unique, so it pops in exactly the order of Python's <c>heapq</c> on the same tuples.
/// </summary>
internal sealed class PathHeap
{
    private Entry[] _entries;
    private long _pushCounter;

    public PathHeap(int capacity) => _entries = new Entry[Math.Max(1, capacity)];

    public int Count { get; private set; }

    public void Clear()
    {
        Count = 0;
        _pushCounter = 0;
    }

    public void Push(double distance, int predecessor, int node)
    {
        if (Count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        var entry = new Entry(distance, _pushCounter++, predecessor, node);
        int i = Count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Less(entry, _entries[parent]))
            {
                break;
            }

            _entries[i] = _entries[parent];
            i = parent;
        }

        _entries[i] = entry;
    }

    public void Pop(out double distance, out int predecessor, out int node)
    {
        var top = _entries[0];
        distance = top.Distance;
        predecessor = top.Predecessor;
        node = top.Node;
        var last = _entries[--Count];
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= Count)
            {
                break;
            }

            if (child + 1 < Count && Less(_entries[child + 1], _entries[child]))
            {
                child++;
            }

            if (!Less(_entries[child], last))
            {
                break;
            }

            _entries[i] = _entries[child];
            i = child;
        }

        if (Count > 0)
        {
            _entries[i] = last;
        }
    }

    private static bool Less(in Entry a, in Entry b) =>
        a.Distance < b.Distance || (a.Distance == b.Distance && a.Sequence < b.Sequence);

    private readonly record struct Entry(double Distance, long Sequence, int Predecessor, int Node);
}
