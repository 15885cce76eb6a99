namespace ModelAudit.Tensors.Kernels.Layout;

/// <summary>
/// Walks the rows (innermost dimension) of an n-dimensional index space, keeping one element offset
/// per operand, so kernels run a tight inner loop per row instead of dividing per element.
/// </summary>
internal sealed class StridedWalk
{
    private readonly int[] _extents;
    private readonly int[][] _strides;
    private readonly int[] _index;

    /// <summary>Starts a walk over <paramref name="extents"/> with per-operand strides and start offsets.</summary>
    public StridedWalk(ReadOnlySpan<int> extents, int[][] strides, int[] offsets)
    {
        if (extents.Length == 0)
        {
            _extents = [1];
            _strides = new int[strides.Length][];
            for (int s = 0; s < strides.Length; s++) _strides[s] = [0];
        }
        else
        {
            _extents = extents.ToArray();
            _strides = strides;
        }
        _index = new int[_extents.Length];
        Offsets = (int[])offsets.Clone();
        long rows = 1;
        for (int d = 0; d < _extents.Length - 1; d++) rows *= _extents[d];
        RowCount = _extents[^1] == 0 ? 0 : rows;
    }

    /// <summary>
    /// A walk over the same elements in the same order with adjacent dimensions merged where every operand steps through
    /// them as through one (the outer stride is the inner stride times the inner extent; dimensions of extent 1 dropped),
    /// so rows are as long as the layouts allow: a whole tensor for equal shapes, a plane for a per-channel broadcast.
    /// </summary>
    public static StridedWalk Coalesced(ReadOnlySpan<int> extents, int[][] strides, int[] offsets)
    {
        var merged = new List<int>();
        var mergedStrides = strides.Select(_ => new List<int>()).ToArray();
        for (int d = extents.Length - 1; d >= 0; d--)
        {
            if (extents[d] == 1) continue;
            int last = merged.Count - 1;
            bool joins = last >= 0;
            for (int s = 0; joins && s < strides.Length; s++) joins = strides[s][d] == (long)mergedStrides[s][last] * merged[last];
            if (joins)
            {
                merged[last] *= extents[d];
                continue;
            }
            merged.Add(extents[d]);
            for (int s = 0; s < strides.Length; s++) mergedStrides[s].Add(strides[s][d]);
        }
        if (merged.Count == 0 && extents.Length > 0 && !extents.Contains(0))
        {
            merged.Add(1);
            foreach (var list in mergedStrides) list.Add(0);
        }
        merged.Reverse();
        foreach (var list in mergedStrides) list.Reverse();
        return new StridedWalk([.. merged], [.. mergedStrides.Select(list => list.ToArray())], offsets);
    }

    /// <summary>Length of every row.</summary>
    public int RowLength => _extents[^1];

    /// <summary>Number of rows.</summary>
    public long RowCount { get; }

    /// <summary>Offset of each operand at the start of the current row.</summary>
    public int[] Offsets { get; }

    /// <summary>Innermost stride of operand <paramref name="operand"/>.</summary>
    public int InnerStride(int operand) => _strides[operand][^1];

    /// <summary>Moves to the next row (call <see cref="RowCount"/> - 1 times).</summary>
    public void Next()
    {
        for (int d = _extents.Length - 2; d >= 0; d--)
        {
            _index[d]++;
            for (int s = 0; s < Offsets.Length; s++) Offsets[s] += _strides[s][d];
            if (_index[d] < _extents[d]) return;
            for (int s = 0; s < Offsets.Length; s++) Offsets[s] -= _strides[s][d] * _extents[d];
            _index[d] = 0;
        }
    }
}
