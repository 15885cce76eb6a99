using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Graph;

/// <summary>What a value in a <see cref="ComputeGraph"/> is.</summary>
public enum ValueKind
{
    /// <summary>Fed by the caller on each run.</summary>
    Input,

    /// <summary>A fixed tensor that never needs a gradient.</summary>
    Constant,

    /// <summary>A fixed tensor (a weight) whose gradient can be asked for.</summary>
    Parameter,

    /// <summary>Produced by a node.</summary>
    Intermediate,
}

/// <summary>A named tensor in a graph.</summary>
/// <param name="Id">Index in <see cref="ComputeGraph.Values"/>.</param>
/// <param name="Name">Unique name (the ONNX tensor name for imported models).</param>
/// <param name="Shape">Concrete shape.</param>
/// <param name="Kind">Input, constant, parameter or intermediate.</param>
/// <param name="Data">The tensor for constants and parameters, otherwise null.</param>
/// <param name="Producer">Index of the producing node for intermediates, otherwise -1.</param>
public sealed record GraphValue(int Id, string Name, TensorShape Shape, ValueKind Kind, Tensor? Data, int Producer);

/// <summary>An operation applied to values.</summary>
/// <param name="Id">Index in <see cref="ComputeGraph.Nodes"/> (nodes are kept in topological order).</param>
/// <param name="Name">Node name (the ONNX node name for imported models).</param>
/// <param name="Operation">The operation.</param>
/// <param name="Inputs">Input value ids.</param>
/// <param name="Outputs">Output value ids.</param>
public sealed record GraphNode(int Id, string Name, Operation Operation, int[] Inputs, int[] Outputs);

/// <summary>
/// A dataflow graph with concrete shapes, built in topological order (each node's inputs exist
/// before it is added). Shapes are inferred as nodes are added, so a graph that builds is consistent.
/// Name lookup is a dictionary: constant time per name.
/// </summary>
public sealed class ComputeGraph
{
    private readonly List<GraphValue> _values = [];
    private readonly List<GraphNode> _nodes = [];
    private readonly List<int> _inputs = [];
    private readonly List<int> _outputs = [];
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);

    /// <summary>All values, indexed by id.</summary>
    public IReadOnlyList<GraphValue> Values => _values;

    /// <summary>All nodes in topological order.</summary>
    public IReadOnlyList<GraphNode> Nodes => _nodes;

    /// <summary>Input value ids in declaration order.</summary>
    public IReadOnlyList<int> Inputs => _inputs;

    /// <summary>Output value ids in declaration order.</summary>
    public IReadOnlyList<int> Outputs => _outputs;

    /// <summary>Adds a caller-fed input.</summary>
    public int AddInput(string name, TensorShape shape)
    {
        var id = AddValue(name, shape, ValueKind.Input, null, -1);
        _inputs.Add(id);
        return id;
    }

    /// <summary>Adds a constant, or a parameter when <paramref name="isParameter"/> (its gradient can then be asked for).</summary>
    public int AddConstant(string name, Tensor data, bool isParameter = false)
        => AddValue(name, data.Shape, isParameter ? ValueKind.Parameter : ValueKind.Constant, data, -1);

    /// <summary>Adds a node; infers and returns its output value ids, named <paramref name="outputNames"/>.</summary>
    /// <exception cref="ShapeMismatchException">The inputs' shapes do not fit the operation; the message names the node.</exception>
    public int[] AddNode(string name, Operation operation, IReadOnlyList<int> inputs, IReadOnlyList<string> outputNames)
    {
        if (outputNames.Count != operation.OutputCount)
            throw new ArgumentException($"Node '{name}' ({operation.Kind}) has {operation.OutputCount} outputs but {outputNames.Count} names were given.");
        var shapes = new TensorShape[inputs.Count];
        for (int i = 0; i < inputs.Count; i++) shapes[i] = _values[inputs[i]].Shape;
        TensorShape[] outShapes;
        try
        {
            outShapes = operation.InferShapes(shapes);
        }
        catch (ShapeMismatchException e)
        {
            throw new ShapeMismatchException($"Node '{name}' ({operation.Kind}): {e.Message}");
        }
        int nodeId = _nodes.Count;
        var outputs = new int[outShapes.Length];
        for (int i = 0; i < outShapes.Length; i++) outputs[i] = AddValue(outputNames[i], outShapes[i], ValueKind.Intermediate, null, nodeId);
        _nodes.Add(new GraphNode(nodeId, name, operation, [.. inputs], outputs));
        return outputs;
    }

    /// <summary>Makes <paramref name="alias"/> another name for an existing value (ONNX Identity and Dropout).</summary>
    public void AddAlias(string alias, int value)
    {
        if (!_byName.TryAdd(alias, value)) throw new ArgumentException($"Duplicate value name '{alias}'.");
    }

    /// <summary>Marks a value as a graph output.</summary>
    public void AddOutput(int value) => _outputs.Add(value);

    /// <summary>Finds a value by name (aliases included).</summary>
    public bool TryFind(string name, out int value) => _byName.TryGetValue(name, out value);

    /// <summary>All names that refer to values, aliases included.</summary>
    public IEnumerable<string> Names => _byName.Keys;

    /// <summary>The value id for <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No value has that name.</exception>
    public int this[string name] => _byName.TryGetValue(name, out var id) ? id : throw new KeyNotFoundException($"No tensor named '{name}' in the graph.");

    private int AddValue(string name, TensorShape shape, ValueKind kind, Tensor? data, int producer)
    {
        int id = _values.Count;
        if (!_byName.TryAdd(name, id)) throw new ArgumentException($"Duplicate value name '{name}'.");
        _values.Add(new GraphValue(id, name, shape, kind, data, producer));
        return id;
    }
}
