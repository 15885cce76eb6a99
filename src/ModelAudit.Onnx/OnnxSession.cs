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

    /// <summary>Token ids travel as whole numbers in float32 tensors: below 2^24 every id is exact.</summary>
    public const int MaxTokenId = 1 << 24;

    /// <summary>True when the input is integer ids (token ids), which only an embedding lookup reads.</summary>
    public bool HasIntegerInput => OnnxTensor.IsIndexType(Input.ElementType);

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
        bool fits = HasIntegerInput
            ? array.DType is NpyDType.Int64 or NpyDType.Int32 or NpyDType.UInt8
            : array.DType is NpyDType.Float32 or NpyDType.Float64;
        if (!fits || !ShapeFits(array.Shape)) throw new ModelInputException($"{source}: {Expected()}, got {type} {NpyArray.FormatShape(array.Shape)}");
        if (HasIntegerInput)
        {
            // Ids travel as floats, exact up to 2^24 (a vocabulary of 16 million tokens).
            var ids = array.ToInt64();
            int perSample = array.Shape.Length > 0 && array.Shape[0] > 0 ? Math.Max(1, ids.Length / array.Shape[0]) : 1;
            for (int i = 0; i < ids.Length; i++)
                if (ids[i] < 0 || ids[i] >= MaxTokenId)
                    throw new ModelInputException($"{source}: sample {i / perSample} holds id {ids[i]} (element {i}); token ids must be in [0, {MaxTokenId})");
        }
        return array.ToTensor();
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
    /// Gradients of <c>sum_i score_i</c>, score_i the <paramref name="target"/> of sample i's targets[i] (default:
    /// output[i, targets[i]] of a first output [N, C]), with respect to each layer; the model input and weights can be named too.
    /// </summary>
    /// <exception cref="ModelInputException">Bad input, targets (count or range; messages start with <c>targets:</c>), target axis or layer names.</exception>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Gradients(Tensor input, ReadOnlySpan<long> targets, IReadOnlyList<string> layers, OutputTarget? target = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(layers);
        target ??= OutputTarget.Default;
        var graph = GraphFor(input.Shape);
        int output = graph.Outputs[0];
        var outputShape = graph.Values[output].Shape;
        var ids = layers.Select(n => ResolveLayer(graph, n)).ToArray();
        foreach (var (name, id) in layers.Zip(ids))
        {
            if (graph.Values[id].Kind == ValueKind.Constant)
                throw new ModelInputException($"layer '{name}': a constant has no gradient");
            if (HasIntegerInput && id == graph.Inputs[0])
                throw new ModelInputException($"layer '{name}': token ids have no gradient; name the embedding output instead");
        }
        Tensor seed;
        try
        {
            seed = target.Seed(outputShape, targets, ComputeBackends.Cpu);
        }
        catch (ArgumentException e)
        {
            throw new ModelInputException($"targets: {e.Message}");
        }
        using (seed)
        {
            using var pass = ExecutorFor(graph).Forward(new Dictionary<int, Tensor> { [graph.Inputs[0]] = input }, new ForwardOptions { RecordForBackward = true });
            using var gradients = pass.Backward(new Dictionary<int, Tensor> { [output] = seed }, ids.Distinct().ToArray());
            return [.. layers.Select((n, i) => new KeyValuePair<string, Tensor>(n, gradients[ids[i]].Clone()))];
        }
    }

    /// <summary>The value id of a layer (an ONNX tensor name); an error listing close matches when unknown.</summary>
    /// <exception cref="ModelInputException">No runtime tensor has that name.</exception>
    public int ResolveLayer(ComputeGraph graph, string name)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(name);
        if (graph.TryFind(name, out var id)) return id;
        if (Model.IsNodeOutput(name))
            throw new ModelInputException($"layer '{name}' was computed when the model was loaded (it depends only on constants and shapes, so it was folded into the nodes that use it) and is not a runtime tensor");
        string hint = Model.Initializers.ContainsKey(name) ? " (an initializer that only shape computations use)" : "";
        var close = LayerNames.ClosestMatches(name, graph.Names.Where(n => !n.Contains("::", StringComparison.Ordinal)));
        throw new ModelInputException($"unknown layer '{name}'{hint}; closest: {string.Join(", ", close)}");
    }

    /// <summary>The ONNX names of the model outputs, in order.</summary>
    public IReadOnlyList<string> OutputNames => [.. Model.Outputs.Select(o => o.Name)];

    /// <summary>The executor for a graph of this model (one per graph, cached).</summary>
    public GraphExecutor ExecutorFor(ComputeGraph graph) => _executors.GetOrAdd(graph, g => new GraphExecutor(g));

    private string Expected() => $"expected {(HasIntegerInput ? "integer (token id)" : "float32")} input of rank {Input.Dims?.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} for '{Input.Name}' {Input.FormatShape()}";

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
