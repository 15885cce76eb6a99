using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Graph;

/// <summary>
/// A convolution run together with the nodes that consume its output: a same-shaped residual Add and/or a Relu
/// (Conv -> Relu, Conv -> Add, Conv -> Add -> Relu). Each fused value has that one consumer and is not a graph output;
/// the residual is computed before the convolution runs. The executor writes only <see cref="Output"/>; the fused
/// intermediates are not materialised but bound to the output, which is all a reverse pass reads of them (Add's
/// backward reads no input and Relu's derivative mask is the same on its input and output).
/// </summary>
/// <param name="Convolution">The Conv2d node.</param>
/// <param name="Residual">The value added to the convolution's output, or -1.</param>
/// <param name="Relu">True when a Relu is folded in.</param>
/// <param name="Skipped">The Add and/or Relu nodes, which the executor then does not run.</param>
/// <param name="Intermediates">The convolution's output and, with both an Add and a Relu, the Add's output.</param>
/// <param name="Output">The value written: the last fused node's output.</param>
internal sealed record ConvolutionFusion(int Convolution, int Residual, bool Relu, int[] Skipped, int[] Intermediates, int Output)
{
    /// <summary>The fusion starting at each node (null where none), found once per graph.</summary>
    public static ConvolutionFusion?[] Find(ComputeGraph graph)
    {
        var uses = new int[graph.Values.Count];
        var consumer = new int[graph.Values.Count];
        Array.Fill(consumer, -1);
        foreach (var node in graph.Nodes)
        {
            foreach (var input in node.Inputs)
            {
                uses[input]++;
                consumer[input] = node.Id;
            }
        }
        var isOutput = new bool[graph.Values.Count];
        foreach (var o in graph.Outputs) isOutput[o] = true;
        bool SoleConsumer(int value) => uses[value] == 1 && !isOutput[value];

        var result = new ConvolutionFusion?[graph.Nodes.Count];
        foreach (var node in graph.Nodes)
        {
            if (node.Operation is not Conv2d || node.Outputs.Length != 1) continue;
            int conv = node.Outputs[0];
            if (!SoleConsumer(conv)) continue;
            var next = graph.Nodes[consumer[conv]];
            if (IsRelu(next))
            {
                result[node.Id] = new ConvolutionFusion(node.Id, -1, true, [next.Id], [conv], next.Outputs[0]);
                continue;
            }
            if (next.Operation is not Binary { BinaryKind: BinaryKind.Add } || next.Inputs.Length != 2) continue;
            int residual = next.Inputs[0] == conv ? next.Inputs[1] : next.Inputs[0];
            var shape = graph.Values[conv].Shape;
            if (residual == conv || graph.Values[residual].Shape != shape || graph.Values[next.Outputs[0]].Shape != shape) continue;
            // The residual must exist when the convolution runs.
            int producer = graph.Values[residual].Producer;
            if (producer >= node.Id) continue;
            int sum = next.Outputs[0];
            if (SoleConsumer(sum) && IsRelu(graph.Nodes[consumer[sum]]))
            {
                var relu = graph.Nodes[consumer[sum]];
                result[node.Id] = new ConvolutionFusion(node.Id, residual, true, [next.Id, relu.Id], [conv, sum], relu.Outputs[0]);
            }
            else
            {
                result[node.Id] = new ConvolutionFusion(node.Id, residual, false, [next.Id], [conv], sum);
            }
        }
        return result;
    }

    private static bool IsRelu(GraphNode node) => node.Operation is Unary { UnaryKind: UnaryKind.Relu };
}
