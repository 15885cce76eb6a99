namespace ModelAudit.Onnx.Protobuf;

/// <summary>The fields of ONNX <c>GraphProto</c> the importer uses.</summary>
internal sealed class GraphProto
{
    public string Name { get; set; } = "";

    public List<NodeProto> Nodes { get; } = [];

    public List<TensorProto> Initializers { get; } = [];

    public List<ValueInfoProto> Inputs { get; } = [];

    public List<ValueInfoProto> Outputs { get; } = [];

    public List<ValueInfoProto> ValueInfo { get; } = [];
}
