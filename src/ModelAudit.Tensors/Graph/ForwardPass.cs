namespace ModelAudit.Tensors.Graph;

/// <summary>
/// The result of <see cref="GraphExecutor.Forward"/>: graph outputs and kept values, and, when recorded,
/// what a reverse pass needs. Owns its buffers; dispose it to return them to the pool.
/// </summary>
public sealed class ForwardPass : IDisposable
{
    private readonly GraphExecutor _executor;
    private readonly Tensor?[] _values;
    private readonly bool[] _owned;
    private readonly bool[] _released;
    private readonly bool[] _readable;
    private readonly bool _recorded;
    private readonly HashSet<int> _replaced;
    private bool _disposed;

    internal ForwardPass(GraphExecutor executor, Tensor?[] values, bool[] owned, bool[] released, bool[] readable, bool recorded, IEnumerable<int> replaced)
    {
        _replaced = [.. replaced];
        _executor = executor;
        _values = values;
        _owned = owned;
        _released = released;
        _readable = readable;
        _recorded = recorded;
    }

    private ComputeGraph Graph => _executor.Graph;

    /// <summary>How many convolutions ran fused with the Add/activation nodes that consume them (see <see cref="ConvolutionFusion"/>).</summary>
    internal int FusedConvolutions { get; set; }

    /// <summary>A graph output or a value named in <see cref="ForwardOptions.Keep"/>; valid until the pass is disposed.</summary>
    /// <exception cref="KeyNotFoundException">The value is neither (the message names it).</exception>
    public Tensor this[int valueId]
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (valueId < 0 || valueId >= _values.Length)
                throw new KeyNotFoundException($"Value {valueId} is not in the graph ({_values.Length} values).");
            if (!_readable[valueId] || _values[valueId] is null || _released[valueId])
                throw new KeyNotFoundException($"Value '{Graph.Values[valueId].Name}' ({valueId}) is neither a graph output nor kept; add it to ForwardOptions.Keep.");
            return _values[valueId]!;
        }
    }

    /// <summary>True when <see cref="this[int]"/> can read <paramref name="valueId"/>.</summary>
    public bool Contains(int valueId)
        => !_disposed && valueId >= 0 && valueId < _values.Length && _readable[valueId] && _values[valueId] is not null && !_released[valueId];

    /// <summary>
    /// One reverse pass: the gradient of the scalar sum over seeded values v of &lt;seed_v, v&gt; with
    /// respect to every value in <paramref name="wrt"/> (inputs, intermediates or parameters). Only nodes
    /// between <paramref name="wrt"/> and the seeds run; values with several consumers accumulate; gradient
    /// buffers are freed as soon as they are consumed. A requested value the seeds do not depend on gets
    /// zeros.
    /// </summary>
    /// <exception cref="InvalidOperationException">The pass was not recorded for backward.</exception>
    /// <exception cref="ArgumentException">A seed or requested value is unknown, misshaped or a constant.</exception>
    public GradientResult Backward(IReadOnlyDictionary<int, Tensor> seeds, IReadOnlyCollection<int> wrt)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(wrt);
        if (!_recorded) throw new InvalidOperationException("This forward pass was not recorded for backward; set ForwardOptions.RecordForBackward.");
        var backend = _executor.Backend;
        int count = _values.Length;
        var wrtSet = new HashSet<int>();
        foreach (var w in wrt)
        {
            if (w < 0 || w >= count) throw new ArgumentException($"Gradient requested for value {w}, but the graph has {count} values.", nameof(wrt));
            if (Graph.Values[w].Kind == ValueKind.Constant)
                throw new ArgumentException($"Value '{Graph.Values[w].Name}' is a constant; add it as a parameter to differentiate with respect to it.", nameof(wrt));
            wrtSet.Add(w);
        }
        foreach (var (id, seed) in seeds)
        {
            if (id < 0 || id >= count) throw new ArgumentException($"Seed for value {id}, but the graph has {count} values.", nameof(seeds));
            if (seed.Shape != Graph.Values[id].Shape)
                throw new ArgumentException($"Seed for '{Graph.Values[id].Name}' has shape {seed.Shape} but the value has {Graph.Values[id].Shape}.", nameof(seeds));
        }

        var (active, need) = Prune(seeds.Keys, wrtSet);
        var grads = new Tensor?[count];
        var gradOwned = new bool[count];
        var result = new Dictionary<int, Tensor>();
        try
        {
            foreach (var (id, seed) in seeds)
            {
                // Seeds stay the caller's unless they had to be copied onto this backend.
                grads[id] = _executor.OnBackend(seed);
                gradOwned[id] = grads[id] != seed;
            }
            for (int n = Graph.Nodes.Count - 1; n >= 0; n--)
            {
                if (!active[n]) continue;
                var node = Graph.Nodes[n];
                var outGrads = new Tensor?[node.Outputs.Length];
                bool any = false;
                for (int j = 0; j < outGrads.Length; j++)
                {
                    // A replaced value does not depend on its producer's inputs: the reverse pass stops there.
                    outGrads[j] = _replaced.Contains(node.Outputs[j]) ? null : grads[node.Outputs[j]];
                    any |= outGrads[j] is not null;
                }
                if (any)
                {
                    var passed = PassedThrough(node, need[n], outGrads);
                    var computed = need[n];
                    Tensor?[] inGrads = [];
                    if (passed is not null)
                    {
                        computed = new bool[computed.Length];
                        for (int j = 0; j < computed.Length; j++) computed[j] = need[n][j] && !passed[j];
                    }
                    if (computed.Contains(true))
                    {
                        var ins = new Tensor[node.Inputs.Length];
                        for (int j = 0; j < ins.Length; j++) ins[j] = _values[node.Inputs[j]]!;
                        var outs = new Tensor[node.Outputs.Length];
                        for (int j = 0; j < outs.Length; j++) outs[j] = _values[node.Outputs[j]]!;
                        inGrads = node.Operation.Backward(ins, outs, outGrads, computed);
                    }
                    // Input by input in order, handed-on and computed alike: the sums come out as when every
                    // gradient was a fresh copy.
                    int lastPassed = passed is null ? -1 : Array.LastIndexOf(passed, true);
                    bool kept = passed is not null && (wrtSet.Contains(node.Outputs[0]) || !gradOwned[node.Outputs[0]]);
                    for (int j = 0; j < node.Inputs.Length; j++)
                    {
                        if (passed is not null && passed[j])
                        {
                            var mode = kept ? Handing.Lend : j == lastPassed ? Handing.Give : Handing.Copy;
                            HandOn(node.Inputs[j], node.Outputs[0], outGrads[0]!, mode, grads, gradOwned);
                            continue;
                        }
                        var g = j < inGrads.Length ? inGrads[j] : null;
                        if (g is null) continue;
                        if (computed[j]) Accumulate(node.Inputs[j], g, grads, gradOwned);
                        else g.Dispose();
                    }
                }
                // This node was the last reader of its outputs' gradients.
                foreach (var o in node.Outputs)
                {
                    if (wrtSet.Contains(o) || grads[o] is null) continue;
                    if (gradOwned[o]) grads[o]!.Dispose();
                    grads[o] = null;
                }
            }
            foreach (var w in wrtSet)
            {
                var g = grads[w];
                if (g is null) result[w] = backend.Allocate(Graph.Values[w].Shape, clear: true);
                else if (gradOwned[w]) result[w] = g;
                else result[w] = g.Clone();
                grads[w] = null;
            }
        }
        catch
        {
            foreach (var g in result.Values) g.Dispose();
            throw;
        }
        finally
        {
            for (int id = 0; id < count; id++)
            {
                if (grads[id] is not null && gradOwned[id]) grads[id]!.Dispose();
            }
        }
        return new GradientResult(Graph, result);
    }

    /// <summary>
    /// Nodes on a path from a requested value to a seed, and per node which inputs need a gradient
    /// (differentiable and downstream of a requested value).
    /// </summary>
    private (bool[] Active, bool[][] Need) Prune(IEnumerable<int> seedIds, HashSet<int> wrt)
    {
        int count = _values.Length;
        var nodes = Graph.Nodes;
        var fromWrt = new bool[count];
        foreach (var w in wrt) fromWrt[w] = true;
        foreach (var node in nodes)
        {
            bool reached = false;
            for (int j = 0; j < node.Inputs.Length; j++) reached |= fromWrt[node.Inputs[j]] && node.Operation.IsDifferentiable(j);
            if (reached)
                foreach (var o in node.Outputs) fromWrt[o] = true;
        }
        var toSeed = new bool[count];
        foreach (var s in seedIds) toSeed[s] = true;
        var active = new bool[nodes.Count];
        var need = new bool[nodes.Count][];
        for (int n = nodes.Count - 1; n >= 0; n--)
        {
            var node = nodes[n];
            bool feedsSeed = node.Outputs.Any(o => toSeed[o] && fromWrt[o]);
            need[n] = new bool[node.Inputs.Length];
            if (!feedsSeed) continue;
            active[n] = true;
            for (int j = 0; j < node.Inputs.Length; j++)
            {
                int input = node.Inputs[j];
                if (!node.Operation.IsDifferentiable(j) || !fromWrt[input]) continue;
                need[n][j] = true;
                toSeed[input] = true;
            }
        }
        return (active, need);
    }

    /// <summary>
    /// The needed inputs whose gradient is the node's output gradient itself (<see cref="Operations.Operation.PassesGradientThrough"/>,
    /// the input shaped as the output), or null when there are none: a residual Add's two inputs, which would otherwise
    /// each get a copy of it (resnet50 forward + backward to every layer 1.03x at one thread, 1.01-1.04x at two).
    /// </summary>
    private bool[]? PassedThrough(GraphNode node, bool[] need, Tensor?[] outGrads)
    {
        if (node.Outputs.Length != 1 || outGrads[0] is null) return null;
        bool[]? passed = null;
        var outShape = Graph.Values[node.Outputs[0]].Shape;
        for (int j = 0; j < node.Inputs.Length; j++)
        {
            if (!need[j] || !node.Operation.PassesGradientThrough(j) || Graph.Values[node.Inputs[j]].Shape != outShape) continue;
            passed ??= new bool[node.Inputs.Length];
            passed[j] = true;
        }
        return passed;
    }

    /// <summary>How <see cref="HandOn"/> may use the output gradient it passes on.</summary>
    private enum Handing
    {
        /// <summary>It is kept to the end of the pass and never written again (a requested value's, or the caller's seed): borrow it.</summary>
        Lend,

        /// <summary>This pass owns it and this is its last taker: take it over.</summary>
        Give,

        /// <summary>This pass owns it and a later input takes it over: read it only.</summary>
        Copy,
    }

    /// <summary>
    /// Adds the output gradient <paramref name="gradient"/> (of value <paramref name="outputId"/>) into input
    /// <paramref name="id"/>'s running total without a copy where <paramref name="mode"/> allows: as
    /// <see cref="Accumulate"/> would a fresh copy, the same sums in the same order. A borrowed total (not owned) is never
    /// written: the next contribution replaces it by a new sum.
    /// </summary>
    private void HandOn(int id, int outputId, Tensor gradient, Handing mode, Tensor?[] grads, bool[] gradOwned)
    {
        var backend = _executor.Backend;
        var existing = grads[id];
        if (existing is not null && gradOwned[id])
        {
            backend.Axpy(1f, gradient, existing);
            return;
        }
        if (existing is null && mode == Handing.Lend)
        {
            grads[id] = gradient;
            gradOwned[id] = false;
            return;
        }
        Tensor total;
        if (mode == Handing.Give)
        {
            total = gradient;
            gradOwned[outputId] = false; // no longer this node's to release
        }
        else
        {
            total = gradient.Clone();
        }
        // An owned gradient of its own now: summed with a borrowed total (or none) as any computed one is.
        Accumulate(id, total, grads, gradOwned);
    }

    /// <summary>Adds a freshly computed (owned) gradient into the value's running total.</summary>
    private void Accumulate(int id, Tensor gradient, Tensor?[] grads, bool[] gradOwned)
    {
        var existing = grads[id];
        if (existing is not null && gradOwned[id])
        {
            _executor.Backend.Axpy(1f, gradient, existing);
            gradient.Dispose();
            return;
        }
        // Either the first contribution or a caller-owned seed, which is never written to.
        if (existing is not null) _executor.Backend.Axpy(1f, existing, gradient);
        grads[id] = gradient;
        gradOwned[id] = true;
    }

    /// <summary>Returns every buffer this pass owns to the pool.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        for (int id = 0; id < _values.Length; id++)
        {
            if (_owned[id] && !_released[id]) _values[id]?.Dispose();
            _released[id] = true;
        }
    }
}
