namespace ModelAudit.Onnx.Import;

/// <summary>
/// Imports one ONNX operator type over a range of opset versions: reads the node's attributes and
/// inputs from an <see cref="OnnxImportContext"/> and either adds engine operations to the graph or
/// folds the node into a constant. See docs/extending-onnx-operators.md.
/// </summary>
internal interface IOnnxOperatorImporter
{
    /// <summary>The ONNX op type, e.g. <c>Conv</c> (default domain).</summary>
    string OpType { get; }

    /// <summary>The first opset version this importer handles.</summary>
    int MinOpset { get; }

    /// <summary>The last opset version this importer handles.</summary>
    int MaxOpset { get; }

    /// <summary>Imports one node.</summary>
    void Import(OnnxImportContext context);
}
