namespace ModelAudit.Onnx.Protobuf;

/// <summary>The fields of ONNX <c>ModelProto</c> the importer uses.</summary>
internal sealed class ModelProto
{
    public long IrVersion { get; set; }

    public string ProducerName { get; set; } = "";

    /// <summary>Operator set imports: domain ("" or "ai.onnx" is the default domain) to version.</summary>
    public List<(string Domain, long Version)> OpsetImport { get; } = [];

    public GraphProto Graph { get; set; } = new();
}
