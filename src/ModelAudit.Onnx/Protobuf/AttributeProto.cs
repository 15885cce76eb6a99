namespace ModelAudit.Onnx.Protobuf;

/// <summary>ONNX <c>AttributeProto.AttributeType</c>.</summary>
internal enum AttributeType
{
    Undefined = 0,
    Float = 1,
    Int = 2,
    String = 3,
    Tensor = 4,
    Graph = 5,
    Floats = 6,
    Ints = 7,
    Strings = 8,
    Tensors = 9,
    Graphs = 10,
    SparseTensor = 11,
    TypeProto = 13,
}

/// <summary>The fields of ONNX <c>AttributeProto</c> the importer uses (graphs and sparse tensors are only noted by type).</summary>
internal sealed class AttributeProto
{
    public string Name { get; set; } = "";

    public AttributeType Type { get; set; }

    public float F { get; set; }

    public long I { get; set; }

    public byte[] S { get; set; } = [];

    public TensorProto? T { get; set; }

    public List<float> Floats { get; } = [];

    public List<long> Ints { get; } = [];

    public List<byte[]> Strings { get; } = [];
}
