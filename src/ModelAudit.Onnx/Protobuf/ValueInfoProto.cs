namespace ModelAudit.Onnx.Protobuf;

/// <summary>One dimension of a declared tensor type: a number, a symbolic name, or unknown.</summary>
internal readonly record struct DimensionProto(long? Value, string? Param);

/// <summary>The fields of ONNX <c>ValueInfoProto</c> with a tensor type.</summary>
internal sealed class ValueInfoProto
{
    public string Name { get; set; } = "";

    public OnnxDataType ElementType { get; set; }

    /// <summary>The declared shape, or null when the type carries no shape.</summary>
    public List<DimensionProto>? Shape { get; set; }
}
