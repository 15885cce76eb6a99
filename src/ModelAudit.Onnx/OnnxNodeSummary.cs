namespace ModelAudit.Onnx;

/// <summary>One ONNX node after import: its op type, output shapes and the number of weights it uses.</summary>
/// <param name="Name">Node name (generated as <c>OpType_index</c> when the model has none).</param>
/// <param name="OpType">ONNX op type.</param>
/// <param name="Outputs">Outputs with their inferred shapes.</param>
/// <param name="ParameterCount">Elements of the float initializers (weights) the node reads at run time.</param>
public sealed record OnnxNodeSummary(string Name, string OpType, IReadOnlyList<OnnxTensorSummary> Outputs, long ParameterCount);

/// <summary>A tensor with its inferred shape.</summary>
/// <param name="Name">ONNX tensor name.</param>
/// <param name="Shape">Concrete dimensions.</param>
/// <param name="IsConstant">True when folded at build time (shape arithmetic), so it is not a runtime layer.</param>
public sealed record OnnxTensorSummary(string Name, IReadOnlyList<int> Shape, bool IsConstant);
