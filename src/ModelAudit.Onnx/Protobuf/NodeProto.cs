namespace ModelAudit.Onnx.Protobuf;

/// <summary>The fields of ONNX <c>NodeProto</c> the importer uses.</summary>
internal sealed class NodeProto
{
    public List<string> Inputs { get; } = [];

    public List<string> Outputs { get; } = [];

    public string Name { get; set; } = "";

    public string OpType { get; set; } = "";

    public string Domain { get; set; } = "";

    public List<AttributeProto> Attributes { get; } = [];
}
