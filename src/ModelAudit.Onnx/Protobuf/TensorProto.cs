namespace ModelAudit.Onnx.Protobuf;

/// <summary>The fields of ONNX <c>TensorProto</c> the importer uses.</summary>
internal sealed class TensorProto
{
    public string Name { get; set; } = "";

    public List<long> Dims { get; } = [];

    public OnnxDataType DataType { get; set; }

    public List<float> FloatData { get; } = [];

    public List<int> Int32Data { get; } = [];

    public List<long> Int64Data { get; } = [];

    public List<double> DoubleData { get; } = [];

    public List<ulong> UInt64Data { get; } = [];

    /// <summary>raw_data: for initializers a slice of the model file's bytes, dropped once decoded.</summary>
    public ReadOnlyMemory<byte>? RawData { get; set; }

    /// <summary>External data entries (<c>location</c>, <c>offset</c>, <c>length</c>, <c>checksum</c>).</summary>
    public Dictionary<string, string> ExternalData { get; } = new(StringComparer.Ordinal);

    /// <summary>True when <c>data_location</c> is EXTERNAL.</summary>
    public bool IsExternal { get; set; }
}
