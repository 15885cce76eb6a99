namespace ModelAudit.Nif;

/// <summary>
/// The per-sample values of one node layer: a [N, units] layer as is, a [N, C, ...] map per channel as its
/// spatial mean. Also the distribution of the raw activations of each unit (all spatial positions).
/// </summary>
internal sealed class NodeLayer
{
    public NodeLayer(string name, int valueId, int units, int samples)
    {
        Name = name;
        ValueId = valueId;
        Columns = new float[units][];
        for (int u = 0; u < units; u++) Columns[u] = new float[samples];
        ZeroCount = new long[units];
        Sum = new double[units];
        Max = new double[units];
        Array.Fill(Max, double.NegativeInfinity);
        Min = new double[units];
        Array.Fill(Min, double.PositiveInfinity);
    }

    public string Name { get; }

    /// <summary>Value id in the runner's graph.</summary>
    public int ValueId { get; }

    public int Units => Columns.Length;

    /// <summary>[unit][sample] values of the node (spatial means for maps).</summary>
    public float[][] Columns { get; }

    /// <summary>Raw activation elements per unit seen so far.</summary>
    public long ElementCount { get; private set; }

    public long[] ZeroCount { get; }

    public double[] Sum { get; }

    public double[] Max { get; }

    public double[] Min { get; }

    /// <summary>True when the unit's raw activations are all equal on the audit data (its information is 0).</summary>
    public bool IsConstant(int unit) => Min[unit] == Max[unit];

    /// <summary>Adds <paramref name="count"/> real samples of a [chunk, units, spatial...] activation starting at sample <paramref name="first"/>.</summary>
    public void Add(ReadOnlySpan<float> activation, int first, int count)
    {
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

    /// <summary>Elements per unit and sample (1 for [N, units] layers).</summary>
    public int SpatialSize { get; init; } = 1;
}
