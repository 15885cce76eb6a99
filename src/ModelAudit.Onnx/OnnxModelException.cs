namespace ModelAudit.Onnx;

/// <summary>
/// An ONNX model that cannot be read or imported: malformed protobuf, unsupported opset or operators,
/// missing external data, or a node whose inputs do not fit. The message names the file and node.
/// </summary>
public sealed class OnnxModelException(string message, Exception? inner = null) : Exception(message, inner);
