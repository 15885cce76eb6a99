using System.Collections.Concurrent;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Onnx;

/// <summary>
/// Runs a single-input ONNX model: builds (and caches) a compute graph per input shape, returns the
/// activations of named layers (ONNX tensor names) and the gradients of the selected logits with respect
/// to them. Returned tensors belong to the caller.
/// </summary>
public sealed class OnnxSession
{
    private readonly ConcurrentDictionary<ComputeGraph, GraphExecutor> _executors = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates a session for a loaded model, which must have exactly one runtime input.</summary>
    /// <exception cref="OnnxModelException">The model has several inputs or none.</exception>
    public OnnxSession(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Inputs.Count != 1)
            throw new OnnxModelException($"{model.Path}: sessions need exactly one runtime input; the model has {model.Inputs.Count} ({string.Join(", ", model.Inputs.Select(i => i.Name))})");
        Model = model;
    }

    /// <summary>The model.</summary>
    public OnnxModel Model { get; }

    /// <summary>The model's input.</summary>
    public OnnxTensorInfo Input => Model.Inputs[0];

    /// <summary>The compute graph for an input shape (cached).</summary>
    public ComputeGraph GraphFor(TensorShape inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        CheckInputShape(inputShape.ToArray(), "float32");
        return Model.BuildGraph(new Dictionary<string, int[]> { [Input.Name] = inputShape.ToArray() });
    }

    /// <summary>
    /// Converts array data (float32 or float64) to an input tensor, checking it against the declared input.
    /// </summary>
    /// <param name="array">The data.</param>
    /// <param name="source">Names the data (a file) in errors.</param>
    /// <exception cref="ModelInputException">The type or shape does not fit, e.g. <c>X.npy: expected float32 input of rank 4 for 'input' [N,1,8,8], got int64 [10,64]</c>.</exception>
    public Tensor InputFrom(NpyArray array, string source)
    {
        ArgumentNullException.ThrowIfNull(array);
        string type = NpyArray.DTypeName(array.DType);
        if (!OnnxTensor.IsFloatType(Input.ElementType)) return TokenInput(array, source, type);
        bool floating = array.DType is NpyDType.Float32 or NpyDType.Float64;
        if (!floating || !ShapeFits(array.Shape)) throw new ModelInputException($"{source}: {Expected()}, got {type} {NpyArray.FormatShape(array.Shape)}");
        return array.ToTensor();
    }

    // Integer model input (token ids): integer data, each id inside every table the input indexes.
    private Tensor TokenInput(NpyArray array, string source, string type)
    {
        string expected = $"expected integer input of rank {Input.Dims?.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} for '{Input.Name}' {Input.FormatShape()}";
        if (array.DType is NpyDType.Float32 or NpyDType.Float64 || !ShapeFits(array.Shape))
            throw new ModelInputException($"{source}: {expected}, got {type} {NpyArray.FormatShape(array.Shape)}");
        var tensor = array.ToTensor();
        var graph = GraphFor(tensor.Shape);
        int input = graph.Inputs[0];
        foreach (var node in graph.Nodes)
        {
            if (node.Operation is not Tensors.Operations.GatherByValue gather || node.Inputs[1] != input) continue;
            var table = graph.Values[node.Inputs[0]].Shape;
            int size = table[table.NormalizeAxis(gather.Axis)];
            var values = tensor.Span;
            for (int i = 0; i < values.Length; i++)
                if (values[i] < 0 || values[i] >= size)
                    throw new ModelInputException($"{source}: token {values[i]} at element {i} is outside [0, {size}) of '{graph.Values[node.Inputs[0]].Name}' {table}");
        }
        return tensor;
    }

    /// <summary>Forward pass; returns the activation of each layer (graph outputs when <paramref name="layers"/> is empty), in order.</summary>
    /// <exception cref="ModelInputException">The input does not fit, or a layer name is unknown (the message lists close matches).</exception>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Run(Tensor input, IReadOnlyList<string> layers)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(layers);
        var graph = GraphFor(input.Shape);
        var names = layers.Count > 0 ? layers : OutputNames;
        var ids = names.Select(n => ResolveLayer(graph, n)).ToArray();
        using var pass = ExecutorFor(graph).Forward(new Dictionary<int, Tensor> { [graph.Inputs[0]] = input }, new ForwardOptions { Keep = ids });
        return [.. names.Select((n, i) => new KeyValuePair<string, Tensor>(n, pass[ids[i]].Clone()))];
    }

    /// <summary>
    /// Gradients of <c>sum_i output[i, targets[i]]</c> (output = the model's first output, shape [N, C]) with
    /// respect to each layer; the model input and weights can be named too.
    /// </summary>
    /// <exception cref="ModelInputException">Bad input, targets (count or range) or layer names.</exception>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Gradients(Tensor input, ReadOnlySpan<long> targets, IReadOnlyList<string> layers)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(layers);
        var graph = GraphFor(input.Shape);
        int output = graph.Outputs[0];
        var logits = graph.Values[output].Shape;
        if (logits.Rank != 2) throw new ModelInputException($"{Model.Path}: gradients need a first output of shape [N, C]; '{graph.Values[output].Name}' is {logits}");
        if (targets.Length != logits[0]) throw new ModelInputException($"targets: expected {logits[0]} targets (one per sample), got {targets.Length}");
        for (int i = 0; i < targets.Length; i++)
            if (targets[i] < 0 || targets[i] >= logits[1])
                throw new ModelInputException($"targets: target {targets[i]} of sample {i} is outside [0, {logits[1]})");
        var ids = layers.Select(n => ResolveLayer(graph, n)).ToArray();
        foreach (var (name, id) in layers.Zip(ids))
            if (graph.Values[id].Kind == ValueKind.Constant)
                throw new ModelInputException($"layer '{name}': a constant has no gradient");
        using var pass = ExecutorFor(graph).Forward(new Dictionary<int, Tensor> { [graph.Inputs[0]] = input }, new ForwardOptions { RecordForBackward = true });
        using var seed = GradientSeeds.SelectedLogits(logits, targets);
        using var gradients = pass.Backward(new Dictionary<int, Tensor> { [output] = seed }, ids.Distinct().ToArray());
        return [.. layers.Select((n, i) => new KeyValuePair<string, Tensor>(n, gradients[ids[i]].Clone()))];
    }

    /// <summary>The value id of a layer (an ONNX tensor name); an error listing close matches when unknown.</summary>
    /// <exception cref="ModelInputException">No runtime tensor has that name.</exception>
    public int ResolveLayer(ComputeGraph graph, string name)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(name);
        if (graph.TryFind(name, out var id)) return id;
        string hint = Model.Initializers.ContainsKey(name) ? " (an initializer that only shape computations use)" : "";
        var close = LayerNames.ClosestMatches(name, graph.Names.Where(n => !n.Contains("::", StringComparison.Ordinal)));
        throw new ModelInputException($"unknown layer '{name}'{hint}; closest: {string.Join(", ", close)}");
    }

    /// <summary>The ONNX names of the model outputs, in order.</summary>
    public IReadOnlyList<string> OutputNames => [.. Model.Outputs.Select(o => o.Name)];

    /// <summary>The executor for a graph of this model (one per graph, cached).</summary>
    public GraphExecutor ExecutorFor(ComputeGraph graph) => _executors.GetOrAdd(graph, g => new GraphExecutor(g));

    private string Expected() => $"expected float32 input of rank {Input.Dims?.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} for '{Input.Name}' {Input.FormatShape()}";

    private bool ShapeFits(int[] dims)
    {
        if (Input.Dims is null) return true;
        if (dims.Length != Input.Dims.Count) return false;
        for (int i = 1; i < dims.Length; i++)
            if (Input.Dims[i] is long d && d != dims[i]) return false;
        return true;
    }

    private void CheckInputShape(int[] dims, string type)
    {
        if (!ShapeFits(dims)) throw new ModelInputException($"{Expected()}, got {type} {NpyArray.FormatShape(dims)}");
    }
}
