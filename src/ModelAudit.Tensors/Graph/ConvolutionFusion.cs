using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Graph;

/// <summary>
/// A convolution run together with the nodes that consume its output: a same-shaped residual Add and/or an activation
/// (Relu; HardSigmoid; or a HardSigmoid with the Mul of its input by its output, torch's export of HardSwish), as in
/// Conv -> act, Conv -> Add, Conv -> Add -> act. Each fused value is read only by the fused nodes and is not a graph
/// output; the residual is computed before the convolution runs. The executor writes only <see cref="Output"/>; the
/// fused intermediates are not materialised but bound to the output. That is all a reverse pass reads of them when the
/// activation is a Relu or none (Add's backward reads no input and Relu's derivative mask is the same on its input and
/// output); the other activations' derivatives read the intermediates themselves, so those fusions run only when no
/// reverse pass will read them (<see cref="BindsIntermediates"/>).
/// </summary>
/// <param name="Convolution">The Conv2d node.</param>
/// <param name="Residual">The value added to the convolution's output, or -1.</param>
/// <param name="Activation">The activation folded in (none, Relu, HardSigmoid or the gated HardSigmoid).</param>
/// <param name="Skipped">The Add and activation nodes, which the executor then does not run.</param>
/// <param name="Intermediates">The values the fused nodes would have written before <see cref="Output"/>, in order.</param>
/// <param name="Output">The value written: the last fused node's output.</param>
internal sealed record ConvolutionFusion(int Convolution, int Residual, FusedActivation Activation, int[] Skipped, int[] Intermediates, int Output)
{
    /// <summary>True when binding the intermediates to the output leaves every derivative that reads them unchanged.</summary>
    public bool BindsIntermediates => Activation.Kind is FusedActivationKind.None or FusedActivationKind.Relu;

    /// <summary>The fusion starting at each node (null where none), found once per graph.</summary>
    public static ConvolutionFusion?[] Find(ComputeGraph graph)
    {
        var consumers = new List<int>[graph.Values.Count];
        foreach (var node in graph.Nodes)
        {
            foreach (var input in node.Inputs) (consumers[input] ??= []).Add(node.Id);
        }
        var isOutput = new bool[graph.Values.Count];
        foreach (var o in graph.Outputs) isOutput[o] = true;
        // The node that alone reads the value once, or null.
        GraphNode? SoleConsumer(int value) => !isOutput[value] && consumers[value] is [int only] ? graph.Nodes[only] : null;

        var result = new ConvolutionFusion?[graph.Nodes.Count];
        foreach (var node in graph.Nodes)
        {
            if (node.Operation is not Conv2d || node.Outputs.Length != 1) continue;
            int conv = node.Outputs[0], value = conv, residual = -1;
            var skipped = new List<int>();
            var intermediates = new List<int>();
            if (SoleConsumer(conv) is { Operation: Binary { BinaryKind: BinaryKind.Add } } add && add.Inputs.Length == 2)
            {
                int other = add.Inputs[0] == conv ? add.Inputs[1] : add.Inputs[0];
                var shape = graph.Values[conv].Shape;
                // The residual must have the output's shape and exist when the convolution runs.
                if (graph.Values[other].Shape == shape && graph.Values[add.Outputs[0]].Shape == shape && graph.Values[other].Producer < node.Id)
                {
                    residual = other;
                    skipped.Add(add.Id);
                    intermediates.Add(conv);
                    value = add.Outputs[0];
                }
            }
            var (activation, activationNodes, activationIntermediates, output) = FindActivation(graph, value, consumers, isOutput, SoleConsumer);
            if (residual < 0 && !activation.IsActive) continue;
            skipped.AddRange(activationNodes);
            if (activation.IsActive) intermediates.Add(value);
            intermediates.AddRange(activationIntermediates);
            result[node.Id] = new ConvolutionFusion(node.Id, residual, activation, [.. skipped], [.. intermediates], output);
        }
        return result;
    }

    /// <summary>
    /// The activation applied to <paramref name="value"/> alone: its nodes, the values between them (beyond the value
    /// itself) and the value it ends in; no activation (and the value itself) when none matches.
    /// </summary>
    private static (FusedActivation Activation, int[] Nodes, int[] Intermediates, int Output) FindActivation(
        ComputeGraph graph, int value, List<int>[] consumers, bool[] isOutput, Func<int, GraphNode?> soleConsumer)
    {
        var only = soleConsumer(value);
        if (only?.Operation is Unary { UnaryKind: UnaryKind.Relu })
            return (FusedActivation.Relu, [only.Id], [], only.Outputs[0]);
        if (only?.Operation is Unary { UnaryKind: UnaryKind.HardSigmoid } sigmoid)
            return (new FusedActivation(FusedActivationKind.HardSigmoid, sigmoid.Alpha, sigmoid.Beta), [only.Id], [], only.Outputs[0]);
        // v -> HardSigmoid -> g and Mul(v, g) (either order), v and g read by nothing else.
        if (!isOutput[value] && consumers[value] is [int first, int second]
            && graph.Nodes[first] is { Operation: Unary { UnaryKind: UnaryKind.HardSigmoid } gate } gateNode
            && soleConsumer(gateNode.Outputs[0]) is { Id: var mulId, Operation: Binary { BinaryKind: BinaryKind.Mul } } mul
            && mulId == second && mul.Inputs.Contains(value))
        {
            return (new FusedActivation(FusedActivationKind.GatedHardSigmoid, gate.Alpha, gate.Beta), [gateNode.Id, mul.Id], [gateNode.Outputs[0]], mul.Outputs[0]);
        }
        return (FusedActivation.None, [], [], value);
    }
}
