namespace ModelAudit.Onnx;

/// <summary>What <c>inspect</c> shows of a model: declared inputs and outputs, every node with inferred output shapes and parameter counts, and unsupported operators.</summary>
/// <param name="Path">Model file.</param>
/// <param name="Producer">Producer name recorded in the model.</param>
/// <param name="Opset">Default-domain opset version.</param>
/// <param name="BatchSize">Batch size the shapes were inferred for.</param>
/// <param name="Inputs">Declared runtime inputs.</param>
/// <param name="Outputs">Declared outputs.</param>
/// <param name="Nodes">Every node; shapes are empty when the graph could not be built.</param>
/// <param name="TotalParameters">Weights: elements of the float initializers and of multi-element float Constant nodes.</param>
/// <param name="UnsupportedOperators">Unsupported operators with a node using each.</param>
/// <param name="BuildError">Why shapes could not be inferred, or null.</param>
public sealed record OnnxModelReport(
    string Path,
    string Producer,
    int Opset,
    int BatchSize,
    IReadOnlyList<OnnxTensorReport> Inputs,
    IReadOnlyList<OnnxTensorReport> Outputs,
    IReadOnlyList<OnnxNodeSummary> Nodes,
    long TotalParameters,
    IReadOnlyList<string> UnsupportedOperators,
    string? BuildError)
{
    /// <summary>Builds the report; a model with unsupported operators is reported (nodes without shapes), not rejected.</summary>
    public static OnnxModelReport Create(OnnxModel model, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        Dictionary<string, int[]> shapes;
        try
        {
            shapes = model.ShapesForBatch(batchSize);
        }
        catch (OnnxModelException e)
        {
            // A free dimension: no shape can be inferred; every node is listed without shapes.
            return Create(model, batchSize, [], e);
        }
        return Create(model, shapes);
    }

    /// <summary>Builds the report for full input shapes (by input name), e.g. from <c>inspect --shape</c>.</summary>
    public static OnnxModelReport Create(OnnxModel model, IReadOnlyDictionary<string, int[]> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShapes);
        int batchSize = model.Inputs.Count > 0 && inputShapes.TryGetValue(model.Inputs[0].Name, out var first) && first.Length > 0 ? first[0] : 1;
        var (nodes, error) = model.SummarizePartial(inputShapes);
        return Create(model, batchSize, nodes, error);
    }

    private static OnnxModelReport Create(OnnxModel model, int batchSize, IReadOnlyList<OnnxNodeSummary> nodes, OnnxModelException? error)
    {
        string? buildError = error?.Message;
        if (error is not null)
        {
            // Nodes after the failure (or all, with unsupported operators) are listed without shapes.
            nodes = [.. nodes, .. model.Proto.Graph.Node.Select((n, i) => new OnnxNodeSummary(
                OnnxModel.NodeDisplayName(n, i), n.OpType,
                [.. n.Output.Where(o => o.Length > 0).Select(o => new OnnxTensorSummary(o, [], IsConstant: false))], 0)).Skip(nodes.Count)];
        }
        long total = model.ParameterCount();
        return new OnnxModelReport(model.Path, model.ProducerName, model.Opset, batchSize,
            [.. model.Inputs.Select(OnnxTensorReport.From)], [.. model.Outputs.Select(OnnxTensorReport.From)],
            nodes, total, model.UnsupportedOperators, buildError);
    }
}

/// <summary>A declared input or output.</summary>
/// <param name="Name">ONNX tensor name.</param>
/// <param name="ElementType">NumPy-style element type name, e.g. <c>float32</c>.</param>
/// <param name="Shape">Declared shape, e.g. <c>[N,1,8,8]</c>.</param>
public sealed record OnnxTensorReport(string Name, string ElementType, string Shape)
{
    internal static OnnxTensorReport From(OnnxTensorInfo info) => new(info.Name, info.ElementTypeName, info.FormatShape());
}
