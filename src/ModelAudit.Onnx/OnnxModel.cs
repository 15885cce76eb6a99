using System.Collections.Concurrent;
using System.Runtime;
using ModelAudit.Onnx.Import;
using ModelAudit.Onnx.Protobuf;
using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Onnx;

/// <summary>
/// A parsed ONNX model. <see cref="Load"/> checks the opset and that every operator is supported before
/// any work; <see cref="BuildGraph(IReadOnlyDictionary{string, int[]})"/> turns it into a compute graph
/// with concrete shapes (cached per input shape).
/// </summary>
public sealed class OnnxModel
{
    /// <summary>The first supported version of the default (ai.onnx) operator set.</summary>
    public const int MinOpset = 9;

    /// <summary>The last supported version of the default (ai.onnx) operator set.</summary>
    public const int MaxOpset = 20;

    private readonly ConcurrentDictionary<string, Lazy<(ComputeGraph Graph, IReadOnlyList<OnnxNodeSummary> Nodes)>> _graphs = new(StringComparer.Ordinal);

    private OnnxModel(string path, ModelProto proto, int opset, OnnxOperatorRegistry registry, IReadOnlyList<string> unsupported)
    {
        Path = path;
        Proto = proto;
        Opset = opset;
        Registry = registry;
        UnsupportedOperators = unsupported;
        foreach (var init in proto.Graph.Initializer)
        {
            Initializers[init.Name] = TensorProtoDecoder.Decode(init, path);
            // The raw data is the parser's copy of the weight's bytes: dropped once decoded, so the bytes of the
            // weights not yet decoded and the decoded ones together stay about one copy of the weights.
            init.RawData = Google.Protobuf.ByteString.Empty;
        }
        Inputs = [.. proto.Graph.Input.Where(i => !Initializers.ContainsKey(i.Name)).Select(OnnxTensorInfo.From)];
        Outputs = [.. proto.Graph.Output.Select(OnnxTensorInfo.From)];
    }

    /// <summary>The model file.</summary>
    public string Path { get; }

    /// <summary>The default-domain opset version.</summary>
    public int Opset { get; }

    /// <summary>The producer recorded in the model, e.g. <c>pytorch</c>.</summary>
    public string ProducerName => Proto.ProducerName;

    /// <summary>The runtime inputs (graph inputs that are not initializers).</summary>
    public IReadOnlyList<OnnxTensorInfo> Inputs { get; }

    /// <summary>The graph outputs.</summary>
    public IReadOnlyList<OnnxTensorInfo> Outputs { get; }

    /// <summary>Every unsupported operator as <c>OpType (node 'name')</c> or <c>OpType (12 nodes, first 'name')</c>, one entry per op type; empty for a model <see cref="Load"/> accepts.</summary>
    public IReadOnlyList<string> UnsupportedOperators { get; }

    internal ModelProto Proto { get; }

    internal OnnxOperatorRegistry Registry { get; }

    internal Dictionary<string, OnnxTensor> Initializers { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads and validates a model: the opset must be supported and every operator importable.</summary>
    /// <exception cref="OnnxModelException">Unreadable file, unsupported opset, or unsupported operators (all listed in one message).</exception>
    public static OnnxModel Load(string path) => Read(path, OnnxOperatorRegistry.Default, rejectUnsupported: true);

    /// <summary>Reads a model and checks its opset, but accepts unsupported operators (listed in <see cref="UnsupportedOperators"/>), for inspection.</summary>
    /// <exception cref="OnnxModelException">Unreadable file or unsupported opset.</exception>
    public static OnnxModel Read(string path) => Read(path, OnnxOperatorRegistry.Default, rejectUnsupported: false);

    /// <summary>Models from this size on get a collection right after parsing (see <see cref="Read(string, OnnxOperatorRegistry, bool)"/>).</summary>
    private const long LargeModelBytes = 64L << 20;

    internal static OnnxModel Read(string path, OnnxOperatorRegistry registry, bool rejectUnsupported)
    {
        ArgumentNullException.ThrowIfNull(path);
        var (proto, fileBytes) = ReadProto(path);
        // The parser copied every weight out of the file's bytes, which are garbage now. Left to the GC, they would
        // still be held while the weights are decoded: three copies of the weights at once (VGG16: 2082 MiB at load
        // against 1586 MiB with two), and the NIF pruning check loads the model again in the middle of an audit.
        if (fileBytes >= LargeModelBytes)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
        if (proto.Graph is null || (proto.Graph.Node.Count == 0 && proto.Graph.Output.Count == 0))
            throw new OnnxModelException($"{path}: not an ONNX model (no graph)");
        ModelValidation.CheckNames(proto, path);
        long opset = -1;
        foreach (var import in proto.OpsetImport)
            if (import.Domain is "" or "ai.onnx") opset = import.Version;
        if (opset < 0) throw new OnnxModelException($"{path}: the model imports no ai.onnx operator set");
        if (opset < MinOpset || opset > MaxOpset)
            throw new OnnxModelException($"{path}: opset {opset} is not supported (supported: ai.onnx {MinOpset} to {MaxOpset}); re-export with opset_version={MaxOpset}");
        // Unsupported operators are found before initializers (and external data) are decoded.
        var unsupported = FindUnsupported(proto, registry, (int)opset);
        if (rejectUnsupported && unsupported.Count > 0)
            throw new OnnxModelException($"{path}: unsupported operators at opset {opset}: {string.Join(", ", unsupported)}");
        return new OnnxModel(path, proto, (int)opset, registry, unsupported);
    }

    /// <summary>The compute graph for concrete input shapes (by input name); built once per shape and cached.</summary>
    /// <exception cref="OnnxModelException">A shape does not fit the declared input, or a node cannot be imported; the message names it.</exception>
    public ComputeGraph BuildGraph(IReadOnlyDictionary<string, int[]> inputShapes) => BuildCached(inputShapes).Graph;

    /// <summary>The compute graph with the first free dimension of every input set to <paramref name="batchSize"/>.</summary>
    public ComputeGraph BuildGraph(int batchSize) => BuildGraph(ShapesForBatch(batchSize));

    /// <summary>Per-node output shapes and parameter counts for a batch size.</summary>
    public IReadOnlyList<OnnxNodeSummary> Summarize(int batchSize) => BuildCached(ShapesForBatch(batchSize)).Nodes;

    /// <summary>Per-node output shapes and parameter counts for full input shapes (by input name), e.g. the data's.</summary>
    public IReadOnlyList<OnnxNodeSummary> Summarize(IReadOnlyDictionary<string, int[]> inputShapes) => BuildCached(inputShapes).Nodes;

    /// <summary>The single input's shapes for a batch shaped like <paramref name="inputShape"/> (the data's shape).</summary>
    public Dictionary<string, int[]> ShapesForData(int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (Inputs.Count != 1) throw new OnnxModelException($"{Path}: the model has {Inputs.Count} inputs; one is needed");
        return new Dictionary<string, int[]>(StringComparer.Ordinal) { [Inputs[0].Name] = inputShape };
    }

    /// <summary>
    /// Per-node summaries for a batch size, or, when the graph cannot be built, the summaries of the nodes
    /// imported before the failure and the error.
    /// </summary>
    internal (IReadOnlyList<OnnxNodeSummary> Nodes, OnnxModelException? Error) SummarizePartial(IReadOnlyDictionary<string, int[]> shapes)
    {
        try
        {
            return (BuildCached(shapes).Nodes, null);
        }
        catch (OnnxModelException e)
        {
            if (UnsupportedOperators.Count > 0) return ([], e);
            // Build again (uncached) to keep what was inferred up to the failing node.
            var builder = new OnnxGraphBuilder(this);
            try
            {
                builder.Build(shapes);
            }
            catch (OnnxModelException)
            {
                // The same failure as above.
            }
            return (builder.Summaries, e);
        }
    }

    /// <summary>
    /// Input shapes: <paramref name="given"/> full shapes where given (by input name), otherwise the declared shape with
    /// the batch dimension set to <paramref name="batchSize"/>.
    /// </summary>
    /// <exception cref="OnnxModelException">A given name is not an input, or an input not given has a free dimension after the batch.</exception>
    public Dictionary<string, int[]> ShapesFor(int batchSize, IReadOnlyDictionary<string, int[]> given)
    {
        ArgumentNullException.ThrowIfNull(given);
        foreach (var name in given.Keys)
            if (!Inputs.Any(i => i.Name == name))
                throw new OnnxModelException($"{Path}: the model has no input '{name}' (inputs: {string.Join(", ", Inputs.Select(i => i.Name))})");
        return Inputs.ToDictionary(i => i.Name, i => given.TryGetValue(i.Name, out var dims) ? dims : i.ShapeForBatch(batchSize, Path), StringComparer.Ordinal);
    }

    /// <summary>Input shapes with the batch dimension set.</summary>
    public Dictionary<string, int[]> ShapesForBatch(int batchSize)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), "The batch size must be at least 1.");
        return Inputs.ToDictionary(i => i.Name, i => i.ShapeForBatch(batchSize, Path), StringComparer.Ordinal);
    }

    internal static string NodeDisplayName(NodeProto node, int index) => node.Name.Length > 0 ? node.Name : $"{node.OpType}_{index}";

    private (ComputeGraph Graph, IReadOnlyList<OnnxNodeSummary> Nodes) BuildCached(IReadOnlyDictionary<string, int[]> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        if (UnsupportedOperators.Count > 0)
            throw new OnnxModelException($"{Path}: unsupported operators at opset {Opset}: {string.Join(", ", UnsupportedOperators)}");
        string key = string.Join(";", inputShapes.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + ":" + string.Join("x", p.Value)));
        var lazy = _graphs.GetOrAdd(key, _ => new Lazy<(ComputeGraph, IReadOnlyList<OnnxNodeSummary>)>(() =>
        {
            var builder = new OnnxGraphBuilder(this);
            var graph = builder.Build(inputShapes);
            return (graph, builder.Summaries);
        }));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // A failed build is not cached, so a corrected call can retry.
            _graphs.TryRemove(key, out _);
            throw;
        }
    }

    /// <summary>True when a node of the graph produces a tensor of that name (whether it runs or is folded at load).</summary>
    public bool IsNodeOutput(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_nodeOutputs is null)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var node in Proto.Graph.Node)
                foreach (var output in node.Output)
                    if (output.Length > 0) names.Add(output);
            _nodeOutputs = names;
        }
        return _nodeOutputs.Contains(name);
    }

    private HashSet<string>? _nodeOutputs;

    /// <summary>
    /// Weights: elements of the float initializers and of the float tensors of <c>Constant</c> nodes with more than
    /// one element (exporters such as Paddle2ONNX store every weight as a Constant node).
    /// </summary>
    public long ParameterCount()
    {
        long total = Initializers.Values.Where(t => t.IsFloat).Sum(t => (long)t.Length);
        foreach (var node in Proto.Graph.Node)
        {
            if (node.OpType != "Constant" || node.Domain is not ("" or "ai.onnx")) continue;
            foreach (var attribute in node.Attribute)
            {
                if (attribute.Name != "value" || attribute.T is not { } tensor) continue;
                if (!OnnxTensor.IsFloatType(tensor.ElementType)) continue;
                long elements = 1;
                foreach (var d in tensor.Dims) elements = d > 0 ? checked(elements * d) : 0;
                if (elements > 1) total += elements;
            }
        }
        return total;
    }

    /// <summary>Parses the file; its bytes are unreachable once this returns (the messages hold their own copies), before the weights are decoded.</summary>
    private static (ModelProto Proto, long FileBytes) ReadProto(string path)
    {
        byte[] bytes;
        try
        {
            // Refuses FIFOs and devices (which would block or never end) and files over the protobuf limit before reading.
            bytes = SafeFile.ReadAllBytes(path, ModelLimits.MaxModelBytes);
        }
        catch (DataFileException e)
        {
            throw new OnnxModelException(e.Message, e);
        }
        return (OnnxModelReader.ReadModel(bytes, path), bytes.LongLength);
    }

    private static List<string> FindUnsupported(ModelProto proto, OnnxOperatorRegistry registry, int opset)
    {
        var uses = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstUse = new Dictionary<string, string>(StringComparer.Ordinal);
        var nodes = proto.Graph.Node;
        for (int n = 0; n < nodes.Count; n++)
        {
            var node = nodes[n];
            bool defaultDomain = node.Domain is "" or "ai.onnx";
            string opName = defaultDomain ? node.OpType : $"{node.Domain}.{node.OpType}";
            if (defaultDomain && registry.Find(node.OpType, opset) is not null) continue;
            firstUse.TryAdd(opName, NodeDisplayName(node, n));
            uses[opName] = uses.GetValueOrDefault(opName) + 1;
        }
        return [.. firstUse.Select(p => uses[p.Key] == 1 ? $"{p.Key} (node '{p.Value}')" : $"{p.Key} ({uses[p.Key]} nodes, first '{p.Value}')")];
    }
}
