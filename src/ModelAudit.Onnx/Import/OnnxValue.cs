namespace ModelAudit.Onnx.Import;

/// <summary>
/// What an ONNX tensor name refers to while a graph is built: a constant known now (folded into later
/// nodes), a runtime value in the compute graph, or both once a constant has been materialised.
/// </summary>
internal sealed class OnnxValue
{
    private OnnxValue(OnnxTensor? constant, int runtimeId, bool isInitializer)
    {
        Constant = constant;
        RuntimeId = runtimeId;
        IsInitializer = isInitializer;
    }

    /// <summary>The value when known at build time.</summary>
    public OnnxTensor? Constant { get; }

    /// <summary>The compute-graph value id, or -1 while not materialised.</summary>
    public int RuntimeId { get; set; }

    /// <summary>True for graph initializers (weights); float ones become parameters when materialised.</summary>
    public bool IsInitializer { get; }

    public static OnnxValue FromConstant(OnnxTensor constant, bool isInitializer = false) => new(constant, -1, isInitializer);

    public static OnnxValue FromRuntime(int id) => new(null, id, false);
}
