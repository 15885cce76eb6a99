namespace ModelAudit.Tensors.Graph;

/// <summary>Gradients of the seeded scalar with respect to the requested values; owns its tensors.</summary>
public sealed class GradientResult : IDisposable
{
    private readonly Dictionary<int, Tensor> _gradients;
    private readonly ComputeGraph _graph;
    private bool _disposed;

    internal GradientResult(ComputeGraph graph, Dictionary<int, Tensor> gradients)
    {
        _graph = graph;
        _gradients = gradients;
    }

    /// <summary>The gradient for a requested value, shaped like the value.</summary>
    /// <exception cref="KeyNotFoundException">The value was not requested.</exception>
    public Tensor this[int valueId]
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_gradients.TryGetValue(valueId, out var g)) return g;
            string name = valueId >= 0 && valueId < _graph.Values.Count ? $"'{_graph.Values[valueId].Name}' ({valueId})" : valueId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            throw new KeyNotFoundException($"No gradient was requested for value {name}.");
        }
    }

    /// <summary>True when a gradient for <paramref name="valueId"/> was requested.</summary>
    public bool Contains(int valueId) => _gradients.ContainsKey(valueId);

    /// <summary>Returns every gradient buffer to its pool.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var g in _gradients.Values) g.Dispose();
        _gradients.Clear();
    }
}
