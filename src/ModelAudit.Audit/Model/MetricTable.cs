namespace ModelAudit.Audit.Model;

/// <summary>
/// Metric values of one run: scalars by family (<c>accuracy</c>) and per-layer values by family and layer. Steps
/// write it, gates and <c>diff</c> read it; null is an undefined value (NaN and infinities are stored as null).
/// </summary>
public sealed class MetricTable
{
    private readonly SortedDictionary<string, double?> _scalars = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, Dictionary<string, double?>> _perLayer = new(StringComparer.Ordinal);

    /// <summary>Scalar metrics by family, ordinal order.</summary>
    public IReadOnlyDictionary<string, double?> Scalars => _scalars;

    /// <summary>Families reported per layer, ordinal order.</summary>
    public IEnumerable<string> LayerFamilies => _perLayer.Keys;

    /// <summary>Number of values (scalars and per-layer).</summary>
    public int Count => _scalars.Count + _perLayer.Values.Sum(v => v.Count);

    /// <summary>Records a value (a scalar when <paramref name="layer"/> is null); NaN and infinities become undefined.</summary>
    public void Set(string family, string? layer, double? value)
    {
        ArgumentNullException.ThrowIfNull(family);
        double? stored = value is { } v && double.IsFinite(v) ? v : null;
        if (layer is null)
        {
            _scalars[family] = stored;
            return;
        }
        if (!_perLayer.TryGetValue(family, out var values)) _perLayer[family] = values = new Dictionary<string, double?>(StringComparer.Ordinal);
        values[layer] = stored;
    }

    /// <summary>Whether the table has an entry (possibly undefined) for the family and layer.</summary>
    public bool Contains(string family, string? layer = null) => TryGet(family, layer, out _);

    /// <summary>The entry for the family and layer (a scalar when <paramref name="layer"/> is null).</summary>
    public bool TryGet(string family, string? layer, out double? value)
    {
        ArgumentNullException.ThrowIfNull(family);
        value = null;
        if (layer is null) return _scalars.TryGetValue(family, out value);
        return _perLayer.TryGetValue(family, out var values) && values.TryGetValue(layer, out value);
    }

    /// <summary>The value, or null when missing or undefined.</summary>
    public double? Value(string family, string? layer = null) => TryGet(family, layer, out var v) ? v : null;

    /// <summary>Whether any layer has a value of the family.</summary>
    public bool HasLayerFamily(string family) => _perLayer.ContainsKey(family);

    /// <summary>Every entry: scalars first, then per-layer values by family and layer name (ordinal).</summary>
    public IEnumerable<MetricEntry> Entries()
    {
        foreach (var (family, value) in _scalars) yield return new MetricEntry(family, null, value);
        foreach (var (family, values) in _perLayer)
            foreach (var layer in values.Keys.Order(StringComparer.Ordinal)) yield return new MetricEntry(family, layer, values[layer]);
    }
}

/// <summary>One value of a <see cref="MetricTable"/>.</summary>
/// <param name="Family">Metric family.</param>
/// <param name="Layer">Layer name, or null for a scalar.</param>
/// <param name="Value">Value, null when undefined.</param>
public sealed record MetricEntry(string Family, string? Layer, double? Value)
{
    /// <summary>How a gate names this value: <c>FAMILY</c> or <c>FAMILY[LAYER]</c> (display only; never parsed back).</summary>
    public override string ToString() => Layer is null ? Family : $"{Family}[{Layer}]";
}
