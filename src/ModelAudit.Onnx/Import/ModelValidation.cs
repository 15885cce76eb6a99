using ModelAudit.Onnx.Protobuf;

namespace ModelAudit.Onnx.Import;

/// <summary>
/// Whole-graph checks made when a model is read, before any node is imported: every value has one
/// producer (a graph input, an initializer or one node output) and declared shapes are in range.
/// </summary>
internal static class ModelValidation
{
    /// <exception cref="OnnxModelException">A duplicate name or an invalid declared dimension; the message names it.</exception>
    public static void CheckNames(ModelProto proto, string path)
    {
        var graph = proto.Graph;
        // Where each value comes from, to name the first producer in a duplicate error.
        var producers = new Dictionary<string, string>(StringComparer.Ordinal);
        var initializers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var init in graph.Initializer)
        {
            if (init.Name.Length == 0) throw new OnnxModelException($"{path}: an initializer has no name");
            if (!initializers.Add(init.Name)) throw new OnnxModelException($"{path}: initializer '{init.Name}' is defined twice");
            producers[init.Name] = $"initializer '{init.Name}'";
        }
        var inputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in graph.Input)
        {
            if (input.Name.Length == 0) throw new OnnxModelException($"{path}: a graph input has no name");
            if (!inputs.Add(input.Name)) throw new OnnxModelException($"{path}: graph input '{input.Name}' is declared twice");
            // Before IR version 4 initializers were also listed as graph inputs; that is not a duplicate.
            producers.TryAdd(input.Name, $"graph input '{input.Name}'");
            CheckDims(input, "graph input", path);
        }
        var outputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var output in graph.Output)
        {
            if (output.Name.Length == 0) throw new OnnxModelException($"{path}: a graph output has no name");
            if (!outputs.Add(output.Name)) throw new OnnxModelException($"{path}: graph output '{output.Name}' is declared twice");
            CheckDims(output, "graph output", path);
        }
        for (int n = 0; n < graph.Node.Count; n++)
        {
            var node = graph.Node[n];
            string where = $"{path}: node '{OnnxModel.NodeDisplayName(node, n)}' ({node.OpType})";
            var attributes = new HashSet<string>(StringComparer.Ordinal);
            foreach (var attribute in node.Attribute)
                if (!attributes.Add(attribute.Name)) throw new OnnxModelException($"{where}: attribute '{attribute.Name}' is given twice");
            foreach (var name in node.Output)
            {
                if (name.Length == 0) continue;
                if (!producers.TryAdd(name, $"node '{OnnxModel.NodeDisplayName(node, n)}' ({node.OpType})"))
                    throw new OnnxModelException($"{where}: output '{name}' is already defined by {producers[name]}");
            }
        }
    }

    private static void CheckDims(ValueInfoProto info, string what, string path)
    {
        if (info.Dimensions is not { } dims) return;
        if (dims.Count > ModelLimits.MaxRank)
            throw new OnnxModelException($"{path}: {what} '{info.Name}' has rank {dims.Count}; at most {ModelLimits.MaxRank} is supported");
        foreach (var d in dims)
            if (d.Value is long v && (v < 0 || v > int.MaxValue))
                throw new OnnxModelException($"{path}: {what} '{info.Name}' has invalid dimension {v}");
    }
}
