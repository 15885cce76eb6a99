namespace ModelAudit.Nif;

/// <summary>
/// The per-sample values of one node layer: a [N, units] layer as is, a [N, C, ...] map per channel as its
/// spatial mean. Also the distribution of the raw activations of each unit (all spatial positions). A layer
/// holds either every unit of its value or, after <see cref="Selected"/>, a subset of them.
/// </summary>
internal sealed class NodeLayer
{
    public NodeLayer(string name, int valueId, int units, int samples)
    {
        Name = name;
        ValueId = valueId;
        TotalUnits = units;
        UnitIndex = [.. Enumerable.Range(0, units)];
        Columns = new float[units][];
        for (int u = 0; u < units; u++) Columns[u] = new float[samples];
        ZeroCount = new long[units];
        Sum = new double[units];
        Max = new double[units];
        Array.Fill(Max, double.NegativeInfinity);
        Min = new double[units];
        Array.Fill(Min, double.PositiveInfinity);
    }

    private NodeLayer(NodeLayer all, int[] units)
    {
        Name = all.Name;
        ValueId = all.ValueId;
        TotalUnits = all.TotalUnits;
        SpatialSize = all.SpatialSize;
        ElementCount = all.ElementCount;
        UnitIndex = [.. units.Select(u => all.UnitIndex[u])];
        Columns = [.. units.Select(u => all.Columns[u])];
        ZeroCount = [.. units.Select(u => all.ZeroCount[u])];
        Sum = [.. units.Select(u => all.Sum[u])];
        Max = [.. units.Select(u => all.Max[u])];
        Min = [.. units.Select(u => all.Min[u])];
    }

    public string Name { get; }

    /// <summary>Value id in the runner's graph.</summary>
    public int ValueId { get; }

    /// <summary>Units held (the node count of the layer).</summary>
    public int Units => Columns.Length;

    /// <summary>Units of the value (dimension 1): the stride of a unit in an activation or gradient.</summary>
    public int TotalUnits { get; }

    /// <summary>Unit (feature, channel or class) of the value behind each held unit, increasing.</summary>
    public int[] UnitIndex { get; }

    /// <summary>[unit][sample] values of the node (spatial means for maps).</summary>
    public float[][] Columns { get; }

    /// <summary>Raw activation elements per unit seen so far.</summary>
    public long ElementCount { get; private set; }

    public long[] ZeroCount { get; }

    public double[] Sum { get; }

    public double[] Max { get; }

    public double[] Min { get; }

    /// <summary>Elements per unit and sample (1 for [N, units] layers).</summary>
    public int SpatialSize { get; init; } = 1;

    /// <summary>True when the unit's raw activations are all equal on the audit data (its information is 0).</summary>
    public bool IsConstant(int unit) => Min[unit] == Max[unit];

    /// <summary>
    /// Adds <paramref name="count"/> real samples of a [chunk, units, spatial...] activation starting at sample
    /// <paramref name="first"/>. Only a layer that holds every unit of its value accepts data.
    /// </summary>
    public void Add(ReadOnlySpan<float> activation, int first, int count)
    {
        if (Units != TotalUnits) throw new InvalidOperationException("A selected layer takes no data; add to the full layer before selecting.");
        int units = Units;
        int spatial = SpatialSize;
        for (int s = 0; s < count; s++)
        {
            for (int u = 0; u < units; u++)
            {
                var block = activation.Slice((s * units + u) * spatial, spatial);
                double sum = 0;
                for (int p = 0; p < spatial; p++)
                {
                    float v = block[p];
                    sum += v;
                    if (v == 0) ZeroCount[u]++;
                    if (v > Max[u]) Max[u] = v;
                    if (v < Min[u]) Min[u] = v;
                }
                Sum[u] += sum;
                Columns[u][first + s] = (float)(sum / spatial);
            }
        }
        ElementCount += (long)count * spatial;
    }

    /// <summary>The layer restricted to <paramref name="units"/> (indices into this layer, increasing); columns are shared, not copied.</summary>
    public NodeLayer Selected(int[] units)
    {
        ArgumentNullException.ThrowIfNull(units);
        for (int i = 0; i < units.Length; i++)
            if (units[i] < 0 || units[i] >= Units || (i > 0 && units[i] <= units[i - 1]))
                throw new ArgumentException("Units must be increasing indices into the layer.", nameof(units));
        return new NodeLayer(this, units);
    }
}
