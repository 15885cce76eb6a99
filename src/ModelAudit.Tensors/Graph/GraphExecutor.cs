using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Graph;

/// <summary>
/// Runs a <see cref="ComputeGraph"/> forward (and, through the returned <see cref="ForwardPass"/>, in
/// reverse mode). Buffers come from the backend's pool and go back as soon as nothing later needs
/// them, so repeated passes reuse the same buffers. Constants and parameters are placed on the
/// backend once, here. An executor holds no per-pass state, so several passes (sequential or on
/// different threads) may run on it at once; each <see cref="ForwardPass"/> is for one thread.
/// </summary>
public sealed class GraphExecutor
{
    private readonly Tensor?[] _constants;
    private readonly int[] _lastConsumer;
    private readonly bool[] _isOutput;
    private readonly bool[] _readByBackward;
    private readonly ConvolutionFusion?[] _fusions;
    private readonly bool _anyFusion;

    /// <summary>Prepares <paramref name="graph"/> to run on <paramref name="backend"/> (the CPU backend when null).</summary>
    public GraphExecutor(ComputeGraph graph, IComputeBackend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        Graph = graph;
        Backend = backend ?? ComputeBackends.Cpu;
        int count = graph.Values.Count;
        _constants = new Tensor?[count];
        _lastConsumer = new int[count];
        _isOutput = new bool[count];
        _readByBackward = new bool[count];
        Array.Fill(_lastConsumer, -1);
        foreach (var v in graph.Values)
        {
            if (v.Data is not null) _constants[v.Id] = OnBackend(v.Data);
        }
        foreach (var node in graph.Nodes)
        {
            for (int j = 0; j < node.Inputs.Length; j++)
            {
                _lastConsumer[node.Inputs[j]] = node.Id;
                if (node.Operation.BackwardReadsInput(j)) _readByBackward[node.Inputs[j]] = true;
            }
            for (int j = 0; j < node.Outputs.Length; j++)
            {
                if (node.Operation.BackwardReadsOutput(j)) _readByBackward[node.Outputs[j]] = true;
            }
        }
        foreach (var o in graph.Outputs) _isOutput[o] = true;
        _fusions = ConvolutionFusion.Find(graph);
        _anyFusion = _fusions.Any(f => f is not null);
    }

    /// <summary>The graph.</summary>
    public ComputeGraph Graph { get; }

    /// <summary>Where tensors are allocated and kernels run.</summary>
    public IComputeBackend Backend { get; }

    /// <summary>
    /// Runs every node in order on <paramref name="inputs"/> (one tensor per graph input, keyed by value
    /// id, shaped as declared).
    /// </summary>
    /// <exception cref="ArgumentException">An input is missing, unknown or has the wrong shape (the message names it).</exception>
    public ForwardPass Forward(IReadOnlyDictionary<int, Tensor> inputs, ForwardOptions options)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(options);
        int count = Graph.Values.Count;
        var values = new Tensor?[count];
        var owned = new bool[count];
        var released = new bool[count];
        var readable = new bool[count];
        foreach (var o in Graph.Outputs) readable[o] = true;
        foreach (var k in options.Keep)
        {
            if (k < 0 || k >= count) throw new ArgumentException($"Keep names value {k}, but the graph has {count} values.", nameof(options));
            readable[k] = true;
        }
        for (int id = 0; id < count; id++) values[id] = _constants[id];

        var pass = new ForwardPass(this, values, owned, released, readable, options.RecordForBackward, [.. options.Replace.Keys]);
        try
        {
            // What the reverse pass reads (null when not recording); a fused chain adds its output, which stands in for its intermediates.
            bool[]? held = options.RecordForBackward ? (bool[])_readByBackward.Clone() : null;
            BindInputs(inputs, values, owned);
            CheckReplacements(options.Replace);
            // Fusion is off when values are replaced: a replacement may land on a value a fusion would not materialise.
            bool[]? skipped = _anyFusion && options.Replace.Count == 0 ? new bool[Graph.Nodes.Count] : null;
            foreach (var node in Graph.Nodes)
            {
                if (skipped is not null)
                {
                    if (skipped[node.Id])
                    {
                        ReleaseAfter(node, values, owned, released, readable, held);
                        continue;
                    }
                    if (_fusions[node.Id] is { } fusion && CanFuse(fusion, readable, held))
                    {
                        options.StepObserver?.Starting();
                        RunFused(fusion, values, owned, released, readable, held);
                        options.StepObserver?.Finished(node, fusion);
                        pass.FusedConvolutions++;
                        foreach (var id in fusion.Skipped) skipped[id] = true;
                        continue;
                    }
                }
                if (options.Replace.Count > 0 && Replaces(node, options.Replace, values, owned, released, readable, held)) continue;
                options.StepObserver?.Starting();
                RunNode(node, values, owned, released, readable, held);
                options.StepObserver?.Finished(node, null);
            }
        }
        catch
        {
            pass.Dispose();
            throw;
        }
        return pass;
    }

    private void BindInputs(IReadOnlyDictionary<int, Tensor> inputs, Tensor?[] values, bool[] owned)
    {
        foreach (var key in inputs.Keys)
        {
            if (key < 0 || key >= Graph.Values.Count || Graph.Values[key].Kind != ValueKind.Input)
                throw new ArgumentException($"Value {key} is not an input of the graph.", nameof(inputs));
        }
        foreach (var id in Graph.Inputs)
        {
            var declared = Graph.Values[id];
            if (!inputs.TryGetValue(id, out var tensor))
                throw new ArgumentException($"Input '{declared.Name}' ({id}) was not given.", nameof(inputs));
            if (tensor.Shape != declared.Shape)
                throw new ArgumentException($"Input '{declared.Name}' expects shape {declared.Shape} but got {tensor.Shape}.", nameof(inputs));
            if (tensor.Backend == Backend) values[id] = tensor;
            else
            {
                values[id] = OnBackend(tensor);
                owned[id] = true;
            }
        }
    }

    private void CheckReplacements(IReadOnlyDictionary<int, Tensor> replace)
    {
        foreach (var (id, tensor) in replace)
        {
            if (id < 0 || id >= Graph.Values.Count || Graph.Values[id].Kind != ValueKind.Intermediate)
                throw new ArgumentException($"Value {id} is not an intermediate of the graph; only node outputs can be replaced.", nameof(replace));
            if (tensor.Shape != Graph.Values[id].Shape)
                throw new ArgumentException($"Replacement for '{Graph.Values[id].Name}' has shape {tensor.Shape} but the value has {Graph.Values[id].Shape}.", nameof(replace));
        }
    }

    /// <summary>
    /// Binds the replacements of <paramref name="node"/>'s outputs. When every output is replaced the node is not
    /// run (true); otherwise it runs and the replaced outputs are swapped afterwards (also true).
    /// </summary>
    private bool Replaces(GraphNode node, IReadOnlyDictionary<int, Tensor> replace, Tensor?[] values, bool[] owned, bool[] released, bool[] readable, bool[]? held)
    {
        int replaced = 0;
        foreach (var id in node.Outputs) if (replace.ContainsKey(id)) replaced++;
        if (replaced == 0) return false;
        if (replaced < node.Outputs.Length) RunNode(node, values, owned, released, readable, held);
        foreach (var id in node.Outputs)
        {
            if (!replace.TryGetValue(id, out var tensor)) continue;
            if (owned[id] && !released[id]) values[id]?.Dispose();
            values[id] = OnBackend(tensor);
            owned[id] = values[id] != tensor;
            released[id] = false;
        }
        if (replaced == node.Outputs.Length)
        {
            foreach (var id in node.Inputs)
                if (_lastConsumer[id] == node.Id) Release(id, values, owned, released, readable, held);
        }
        return true;
    }

    private void RunNode(GraphNode node, Tensor?[] values, bool[] owned, bool[] released, bool[] readable, bool[]? held)
    {
        var ins = new Tensor[node.Inputs.Length];
        for (int j = 0; j < ins.Length; j++) ins[j] = values[node.Inputs[j]]!;
        var outs = new Tensor[node.Outputs.Length];
        for (int j = 0; j < outs.Length; j++)
        {
            int id = node.Outputs[j];
            outs[j] = Backend.Allocate(Graph.Values[id].Shape, clear: false);
            values[id] = outs[j];
            owned[id] = true;
        }
        node.Operation.Forward(ins, outs);
        ReleaseAfter(node, values, owned, released, readable, held);
    }

    /// <summary>
    /// A fusion runs unless one of the values it does not materialise is to be read by the caller, or by the reverse
    /// pass when binding it to the fused output would change what that reads.
    /// </summary>
    private static bool CanFuse(ConvolutionFusion fusion, bool[] readable, bool[]? held)
    {
        foreach (var id in fusion.Intermediates)
        {
            if (readable[id]) return false;
            if (!fusion.BindsIntermediates && held is not null && held[id]) return false;
        }
        return true;
    }

    /// <summary>
    /// Runs a convolution with the Add/activation nodes that consume it: only the last output is allocated; the fused
    /// intermediates are bound to it (not owned), which is all the reverse pass reads of them (see <see cref="CanFuse"/>).
    /// </summary>
    private void RunFused(ConvolutionFusion fusion, Tensor?[] values, bool[] owned, bool[] released, bool[] readable, bool[]? held)
    {
        var node = Graph.Nodes[fusion.Convolution];
        var ins = new Tensor[node.Inputs.Length];
        for (int j = 0; j < ins.Length; j++) ins[j] = values[node.Inputs[j]]!;
        var output = Backend.Allocate(Graph.Values[fusion.Output].Shape, clear: false);
        values[fusion.Output] = output;
        owned[fusion.Output] = true;
        foreach (var id in fusion.Intermediates)
        {
            values[id] = output;
            owned[id] = false;
            if (held is not null && held[id]) held[fusion.Output] = true;
        }
        ((Conv2d)node.Operation).ForwardFused(ins, fusion.Residual < 0 ? null : values[fusion.Residual], fusion.Activation, output);
        ReleaseAfter(node, values, owned, released, readable, held);
    }

    /// <summary>Frees what no later node, the caller or the backward pass will read once <paramref name="node"/> has run.</summary>
    private void ReleaseAfter(GraphNode node, Tensor?[] values, bool[] owned, bool[] released, bool[] readable, bool[]? held)
    {
        foreach (var id in node.Inputs)
        {
            if (_lastConsumer[id] == node.Id) Release(id, values, owned, released, readable, held);
        }
        foreach (var id in node.Outputs)
        {
            if (_lastConsumer[id] < 0) Release(id, values, owned, released, readable, held);
        }
    }

    private void Release(int id, Tensor?[] values, bool[] owned, bool[] released, bool[] readable, bool[]? held)
    {
        if (!owned[id] || released[id] || readable[id] || _isOutput[id] || (held is not null && held[id])) return;
        values[id]!.Dispose();
        released[id] = true;
    }

    /// <summary>A copy of <paramref name="tensor"/> on this executor's backend (or the tensor itself when already there).</summary>
    internal Tensor OnBackend(Tensor tensor)
    {
        if (tensor.Backend == Backend) return tensor;
        var copy = Backend.Allocate(tensor.Shape, clear: false);
        if (tensor.Storage.IsHostAccessible) copy.Storage.CopyFrom(tensor.Span);
        else copy.Storage.CopyFrom(tensor.ToArray());
        return copy;
    }
}
