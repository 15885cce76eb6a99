using ModelAudit.Onnx.Protobuf;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;

namespace ModelAudit.Onnx.Import;

/// <summary>
/// Builds a <see cref="ComputeGraph"/> with concrete shapes from an ONNX graph: walks the nodes in
/// order, folds everything computable at build time (shape arithmetic, integer tensors) and adds
/// float runtime operations for the rest.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly OnnxModel _model;
    private readonly Dictionary<string, OnnxValue> _values = new(StringComparer.Ordinal);
    private readonly List<OnnxNodeSummary> _summaries = [];
    private readonly HashSet<int> _integerValues = [];
    private NodeProto? _currentNode;
    private string _currentName = "";

    public OnnxGraphBuilder(OnnxModel model)
    {
        _model = model;
    }

    public ComputeGraph Graph { get; } = new();

    /// <summary>Per-node summaries (output shapes, parameter counts) of the last build.</summary>
    public IReadOnlyList<OnnxNodeSummary> Summaries => _summaries;

    public ComputeGraph Build(IReadOnlyDictionary<string, int[]> inputShapes)
    {
        foreach (var (name, tensor) in _model.Initializers) _values[name] = OnnxValue.FromConstant(tensor, isInitializer: true);
        foreach (var input in _model.Inputs)
        {
            if (!inputShapes.TryGetValue(input.Name, out var dims))
                throw new OnnxModelException($"{_model.Path}: no shape given for input '{input.Name}' {input.FormatShape()}");
            input.CheckShape(dims, _model.Path);
            bool integer = OnnxTensor.IsIndexType(input.ElementType);
            if (!OnnxTensor.IsFloatType(input.ElementType) && !integer)
                throw new OnnxModelException($"{_model.Path}: input '{input.Name}' has element type {input.ElementType}; only float inputs and integer token ids (int32, int64) are supported");
            if (dims.Any(d => d <= 0))
                throw new OnnxModelException($"{_model.Path}: input '{input.Name}' of shape [{string.Join(",", dims)}] has a zero or negative dimension; empty tensors are not supported");
            if (ModelLimits.ElementCount(dims) > ModelLimits.MaxTensorElements)
                throw new OnnxModelException($"{_model.Path}: input '{input.Name}' of shape [{string.Join(",", dims)}] has more than {ModelLimits.MaxTensorElements} elements");
            int id = Graph.AddInput(input.Name, new TensorShape(dims));
            // Integer ids travel as whole numbers in a float tensor; only Gather may read them (as indices).
            if (integer) _integerValues.Add(id);
            _values[input.Name] = OnnxValue.FromRuntime(id);
        }
        foreach (var name in inputShapes.Keys)
            if (!_model.Inputs.Any(i => i.Name == name))
                throw new OnnxModelException($"{_model.Path}: the model has no input '{name}' (inputs: {string.Join(", ", _model.Inputs.Select(i => i.Name))})");

        var nodes = _model.Proto.Graph.Node;
        for (int n = 0; n < nodes.Count; n++)
        {
            var node = nodes[n];
            _currentNode = node;
            _currentName = OnnxModel.NodeDisplayName(node, n);
            var importer = _model.Registry.Find(node.OpType, _model.Opset)
                ?? throw Fail($"unsupported operator at opset {_model.Opset}");
            int graphNodesBefore = Graph.Nodes.Count;
            try
            {
                importer.Import(new OnnxImportContext(this, node, _currentName, _model.Opset));
            }
            catch (Exception e) when (e is ArgumentException or OverflowException)
            {
                // Engine operations and shapes validate their arguments (e.g. a shape over 2^31-1 elements);
                // reaching them with bad values is the model's fault, reported against the node.
                throw Fail(e.Message, e);
            }
            CheckOutputsNotEmpty(node);
            _summaries.Add(Summarize(node, graphNodesBefore));
        }
        _currentNode = null;
        foreach (var output in _model.Outputs)
        {
            if (!_values.TryGetValue(output.Name, out var value))
                throw new OnnxModelException($"{_model.Path}: graph output '{output.Name}' is not produced by any node");
            Graph.AddOutput(Materialize(output.Name, value));
        }
        return Graph;
    }

    // The engine's kernels need at least one element; an empty runtime tensor (e.g. a Slice that takes
    // nothing) is refused at the node that makes it rather than failing inside a kernel at run time.
    private void CheckOutputsNotEmpty(NodeProto node)
    {
        foreach (var name in node.Output)
            if (name.Length > 0 && _values.TryGetValue(name, out var v) && v.Constant is null && Graph.Values[v.RuntimeId].Shape.ElementCount == 0)
                throw Fail($"output '{name}' is empty ({Graph.Values[v.RuntimeId].Shape}); empty tensors are not supported at run time");
    }

    /// <summary>True when runtime value <paramref name="id"/> holds integer ids (an integer graph input or an alias of one).</summary>
    public bool IsInteger(int id) => _integerValues.Contains(id);

    public OnnxValue Lookup(string name)
        => _values.TryGetValue(name, out var v) ? v : throw Fail($"input '{name}' is not produced by an earlier node, an initializer or a graph input");

    public void Bind(string name, OnnxValue value)
    {
        if (!_values.TryAdd(name, value)) throw Fail($"output '{name}' is defined twice");
    }

    /// <summary>The runtime id of a value, adding it to the graph when it is a build-time constant.</summary>
    public int Materialize(string name, OnnxValue value)
    {
        if (value.RuntimeId >= 0) return value.RuntimeId;
        var constant = value.Constant!;
        bool isParameter = value.IsInitializer && constant.IsFloat;
        value.RuntimeId = Graph.AddConstant(name, constant.ToTensor(), isParameter);
        return value.RuntimeId;
    }

    public OnnxTensor Decode(TensorProto proto) => TensorProtoDecoder.Decode(proto, _model.Path);

    /// <summary>An error naming the model file and the node being imported.</summary>
    public OnnxModelException Fail(string message, Exception? inner = null)
        => _currentNode is null
            ? new OnnxModelException($"{_model.Path}: {message}", inner)
            : new OnnxModelException($"{_model.Path}: node '{_currentName}' ({_currentNode.OpType}): {message}", inner);

    private OnnxNodeSummary Summarize(NodeProto node, int graphNodesBefore)
    {
        var outputs = new List<OnnxTensorSummary>();
        foreach (var name in node.Output)
        {
            if (name.Length == 0 || !_values.TryGetValue(name, out var v)) continue;
            var dims = v.Constant?.Dims ?? Graph.Values[v.RuntimeId].Shape.ToArray();
            outputs.Add(new OnnxTensorSummary(name, dims, IsConstant: v.Constant is not null));
        }
        long parameters = 0;
        var seen = new HashSet<int>();
        for (int g = graphNodesBefore; g < Graph.Nodes.Count; g++)
            foreach (var id in Graph.Nodes[g].Inputs)
                if (Graph.Values[id].Kind == ValueKind.Parameter && seen.Add(id)) parameters += Graph.Values[id].Shape.ElementCount;
        return new OnnxNodeSummary(_currentName, node.OpType, outputs, parameters);
    }
}
