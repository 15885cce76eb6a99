using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Nif;

/// <summary>
/// Zeroes the weights and bias that produce given units: from the layer value back through element-wise
/// activations (Unary, Clip) to the Gemm or Conv2d that computes it, then that operation's weight row
/// (Gemm: output row of B; Conv: output channel) and bias entry. Works on a freshly loaded copy of the model,
/// so the caller's model is untouched.
/// </summary>
internal static class UnitPruning
{
    /// <summary>Loads a private copy of the model, builds its graph for <paramref name="inputShape"/> and zeroes the units' producers.</summary>
    /// <param name="modelPath">The model file.</param>
    /// <param name="inputShape">The batch shape of the graph.</param>
    /// <param name="units">The units to zero.</param>
    /// <param name="recordChanges">
    /// Whether to return every changed constant before and after (for writing a pruned model). Off, no weight is copied:
    /// at VGG16's size one changed fc weight is 411 MB, and its two copies made the pruning check the run's memory peak.
    /// </param>
    /// <returns>
    /// The pruned graph, the number of zeroed parameters, the units that could not be pruned (with why), and
    /// every changed constant as (values before, values after) when <paramref name="recordChanges"/> is set (else empty).
    /// </returns>
    public static (ComputeGraph Graph, int Zeroed, List<string> Skipped, List<(float[] Original, float[] Replacement)> Changes) Prune(
        string modelPath, int[] inputShape, IReadOnlyList<(string Layer, int Unit, string Label)> units, bool recordChanges = true)
    {
        var model = OnnxModel.Load(modelPath);
        var graph = model.BuildGraph(new Dictionary<string, int[]> { [model.Inputs[0].Name] = inputShape });
        int zeroed = 0;
        var skipped = new List<string>();
        var originals = new Dictionary<int, float[]>();
        foreach (var (layer, unit, label) in units)
        {
            if (!graph.TryFind(layer, out int value))
            {
                skipped.Add($"{label}: layer not found in the copy");
                continue;
            }
            var node = ProducerThroughActivations(graph, value);
            if (node is null)
            {
                skipped.Add($"{label}: no Gemm/Conv2d producer reached through element-wise activations");
                continue;
            }
            if (recordChanges)
                foreach (var input in node.Inputs.Skip(1))
                    if (graph.Values[input].Data is { } data) originals.TryAdd(input, data.ToArray());
            zeroed += ZeroUnit(graph, node, unit, label, skipped);
        }
        var changes = originals.OrderBy(p => p.Key).Select(p => (p.Value, graph.Values[p.Key].Data!.ToArray())).ToList();
        return (graph, zeroed, skipped, changes);
    }

    private static GraphNode? ProducerThroughActivations(ComputeGraph graph, int value)
    {
        while (true)
        {
            int producer = graph.Values[value].Producer;
            if (producer < 0) return null;
            var node = graph.Nodes[producer];
            switch (node.Operation)
            {
                case Gemm:
                case Conv2d:
                    return node;
                case Unary:
                case Clip:
                    value = node.Inputs[0];
                    break;
                default:
                    return null;
            }
        }
    }

    private static int ZeroUnit(ComputeGraph graph, GraphNode node, int unit, string label, List<string> skipped)
    {
        var weights = graph.Values[node.Inputs[1]];
        if (weights.Data is null)
        {
            skipped.Add($"{label}: the weights of '{node.Name}' are computed at run time");
            return 0;
        }
        int zeroed = 0;
        var w = weights.Data.Span;
        if (node.Operation is Gemm gemm)
        {
            // Y = A op(B) + C: output column `unit` uses row `unit` of B when transposed, else column `unit`.
            int rows = weights.Shape[0], cols = weights.Shape[1];
            if (gemm.TransB)
            {
                w.Slice(unit * cols, cols).Clear();
                zeroed += cols;
            }
            else
            {
                for (int r = 0; r < rows; r++) w[r * cols + unit] = 0;
                zeroed += rows;
            }
        }
        else
        {
            int perChannel = weights.Shape.ElementCount / weights.Shape[0];
            w.Slice(unit * perChannel, perChannel).Clear();
            zeroed += perChannel;
        }
        if (node.Inputs.Length > 2)
        {
            var bias = graph.Values[node.Inputs[2]];
            if (bias.Data is null)
            {
                skipped.Add($"{label}: the bias of '{node.Name}' is computed at run time");
            }
            else
            {
                // A bias per unit ([units], [1, units]) or per sample and unit ([N, units]): clear the unit's entries.
                int units = graph.Values[node.Outputs[0]].Shape[1];
                var b = bias.Data.Span;
                if (bias.Shape.Rank == 0 || bias.Shape[-1] != units)
                {
                    skipped.Add($"{label}: the bias of '{node.Name}' {bias.Shape} is not per unit");
                }
                else
                {
                    for (int i = unit; i < b.Length; i += units)
                    {
                        b[i] = 0;
                        zeroed++;
                    }
                }
            }
        }
        return zeroed;
    }
}
