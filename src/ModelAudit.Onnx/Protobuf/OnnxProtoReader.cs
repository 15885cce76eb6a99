using Google.Protobuf;

namespace ModelAudit.Onnx.Protobuf;

/// <summary>
/// Decodes the ONNX protobuf messages by field number over <see cref="CodedInputStream"/> (there is no
/// protoc here). Unknown fields are skipped; repeated scalars are accepted packed and unpacked. Nested messages
/// are read in place in the file's bytes, and an initializer's raw data is a slice of them, never a copy: a
/// 500 MB model then costs its file and its decoded weights, not four copies of the file.
/// </summary>
internal sealed class OnnxProtoReader
{
    private readonly byte[] _buffer;

    private OnnxProtoReader(byte[] buffer) => _buffer = buffer;

    /// <summary>Reads a model from bytes; <paramref name="fileName"/> names the file in errors.</summary>
    public static ModelProto ReadModel(byte[] bytes, string fileName)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            return new OnnxProtoReader(bytes).ReadModel(new CodedInputStream(bytes));
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidDataException)
        {
            throw new OnnxModelException($"{fileName}: not a valid ONNX model (protobuf decoding failed: {e.Message})", e);
        }
    }

    private ModelProto ReadModel(CodedInputStream input)
    {
        var model = new ModelProto();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: model.IrVersion = Int64(input, tag); break;
                case 2: model.ProducerName = String(input, tag); break;
                case 7: model.Graph = ReadGraph(Nested(input, tag)); break;
                case 8: model.OpsetImport.Add(ReadOpset(Nested(input, tag))); break;
                default: input.SkipLastField(); break;
            }
        }
        return model;
    }

    private (string, long) ReadOpset(CodedInputStream input)
    {
        string domain = "";
        long version = 0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: domain = String(input, tag); break;
                case 2: version = Int64(input, tag); break;
                default: input.SkipLastField(); break;
            }
        }
        return (domain, version);
    }

    private GraphProto ReadGraph(CodedInputStream input)
    {
        var graph = new GraphProto();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: graph.Nodes.Add(ReadNode(Nested(input, tag))); break;
                case 2: graph.Name = String(input, tag); break;
                case 5: graph.Initializers.Add(ReadTensor(Nested(input, tag), sliceRawData: true)); break;
                case 11: graph.Inputs.Add(ReadValueInfo(Nested(input, tag))); break;
                case 12: graph.Outputs.Add(ReadValueInfo(Nested(input, tag))); break;
                case 13: graph.ValueInfo.Add(ReadValueInfo(Nested(input, tag))); break;
                default: input.SkipLastField(); break;
            }
        }
        return graph;
    }

    private NodeProto ReadNode(CodedInputStream input)
    {
        var node = new NodeProto();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: node.Inputs.Add(String(input, tag)); break;
                case 2: node.Outputs.Add(String(input, tag)); break;
                case 3: node.Name = String(input, tag); break;
                case 4: node.OpType = String(input, tag); break;
                case 5: node.Attributes.Add(ReadAttribute(Nested(input, tag))); break;
                case 7: node.Domain = String(input, tag); break;
                default: input.SkipLastField(); break;
            }
        }
        return node;
    }

    private AttributeProto ReadAttribute(CodedInputStream input)
    {
        var attribute = new AttributeProto();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: attribute.Name = String(input, tag); break;
                case 2: attribute.F = Float(input, tag); break;
                case 3: attribute.I = Int64(input, tag); break;
                case 4: attribute.S = Bytes(input, tag).ToByteArray(); break;
                case 5: attribute.T = ReadTensor(Nested(input, tag), sliceRawData: false); break;
                case 7: ReadRepeatedFloat(input, tag, attribute.Floats); break;
                case 8: ReadRepeatedInt64(input, tag, attribute.Ints); break;
                case 9: attribute.Strings.Add(Bytes(input, tag).ToByteArray()); break;
                case 20: attribute.Type = (AttributeType)Int32(input, tag); break;
                default: input.SkipLastField(); break;
            }
        }
        return attribute;
    }

    /// <param name="input">The tensor message.</param>
    /// <param name="sliceRawData">Keep raw data as a slice of the file (initializers, decoded once and then dropped) rather than a copy (attribute tensors, which live as long as the graph).</param>
    private TensorProto ReadTensor(CodedInputStream input, bool sliceRawData)
    {
        var tensor = new TensorProto();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: ReadRepeatedInt64(input, tag, tensor.Dims); break;
                case 2: tensor.DataType = (OnnxDataType)Int32(input, tag); break;
                case 4: ReadRepeatedFloat(input, tag, tensor.FloatData); break;
                case 5: ReadRepeatedInt32(input, tag, tensor.Int32Data); break;
                case 7: ReadRepeatedInt64(input, tag, tensor.Int64Data); break;
                case 8: tensor.Name = String(input, tag); break;
                case 9:
                    var (offset, length) = Payload(input, tag);
                    var raw = new ReadOnlyMemory<byte>(_buffer, offset, length);
                    tensor.RawData = sliceRawData ? raw : raw.ToArray();
                    break;
                case 10: ReadRepeatedDouble(input, tag, tensor.DoubleData); break;
                case 11: ReadRepeatedUInt64(input, tag, tensor.UInt64Data); break;
                case 13:
                    var (key, value) = ReadStringPair(Nested(input, tag));
                    tensor.ExternalData[key] = value;
                    break;
                case 14: tensor.IsExternal = Int32(input, tag) == 1; break;
                default: input.SkipLastField(); break;
            }
        }
        return tensor;
    }

    private (string, string) ReadStringPair(CodedInputStream input)
    {
        string key = "", value = "";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: key = String(input, tag); break;
                case 2: value = String(input, tag); break;
                default: input.SkipLastField(); break;
            }
        }
        return (key, value);
    }

    private ValueInfoProto ReadValueInfo(CodedInputStream input)
    {
        var info = new ValueInfoProto();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: info.Name = String(input, tag); break;
                case 2: ReadType(Nested(input, tag), info); break;
                default: input.SkipLastField(); break;
            }
        }
        return info;
    }

    private void ReadType(CodedInputStream input, ValueInfoProto info)
    {
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1) ReadTensorType(Nested(input, tag), info);
            else input.SkipLastField();
        }
    }

    private void ReadTensorType(CodedInputStream input, ValueInfoProto info)
    {
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: info.ElementType = (OnnxDataType)Int32(input, tag); break;
                case 2: info.Shape = ReadShape(Nested(input, tag)); break;
                default: input.SkipLastField(); break;
            }
        }
    }

    private List<DimensionProto> ReadShape(CodedInputStream input)
    {
        var dims = new List<DimensionProto>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1) dims.Add(ReadDimension(Nested(input, tag)));
            else input.SkipLastField();
        }
        return dims;
    }

    private DimensionProto ReadDimension(CodedInputStream input)
    {
        long? value = null;
        string? param = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: value = Int64(input, tag); break;
                case 2: param = String(input, tag); break;
                default: input.SkipLastField(); break;
            }
        }
        return new DimensionProto(value, param);
    }

    // A sub-message is a length-delimited byte run; decoding it from its own stream keeps limits simple.
    private CodedInputStream Nested(CodedInputStream input, uint tag)
    {
        var (offset, length) = Payload(input, tag);
        return new CodedInputStream(_buffer, offset, length);
    }

    /// <summary>
    /// Where the payload of the length-delimited field just tagged lies in the file's bytes; the stream moves past it
    /// without copying (stream positions count from the start of the buffer).
    /// </summary>
    private (int Offset, int Length) Payload(CodedInputStream input, uint tag)
    {
        Expect(tag, WireFormat.WireType.LengthDelimited);
        long lengthAt = input.Position;
        input.SkipLastField();
        long end = input.Position;
        int length = new CodedInputStream(_buffer, (int)lengthAt, (int)(end - lengthAt)).ReadLength();
        return ((int)(end - length), length);
    }

    // Known fields with an unexpected wire type mean a corrupt file (or not ONNX): reading on would decode garbage.
    private static void Expect(uint tag, WireFormat.WireType expected)
    {
        var actual = WireFormat.GetTagWireType(tag);
        if (actual != expected)
            throw new InvalidDataException($"field {WireFormat.GetTagFieldNumber(tag)} has wire type {actual}, expected {expected}");
    }

    private static string String(CodedInputStream input, uint tag)
    {
        Expect(tag, WireFormat.WireType.LengthDelimited);
        return input.ReadString();
    }

    private static ByteString Bytes(CodedInputStream input, uint tag)
    {
        Expect(tag, WireFormat.WireType.LengthDelimited);
        return input.ReadBytes();
    }

    private static long Int64(CodedInputStream input, uint tag)
    {
        Expect(tag, WireFormat.WireType.Varint);
        return input.ReadInt64();
    }

    private static ulong UInt64(CodedInputStream input, uint tag)
    {
        Expect(tag, WireFormat.WireType.Varint);
        return input.ReadUInt64();
    }

    private static int Int32(CodedInputStream input, uint tag)
    {
        Expect(tag, WireFormat.WireType.Varint);
        return input.ReadInt32();
    }

    private static float Float(CodedInputStream input, uint tag)
    {
        Expect(tag, WireFormat.WireType.Fixed32);
        return input.ReadFloat();
    }

    private static double Double(CodedInputStream input, uint tag)
    {
        Expect(tag, WireFormat.WireType.Fixed64);
        return input.ReadDouble();
    }

    private void ReadRepeatedInt64(CodedInputStream input, uint tag, List<long> into)
    {
        if (WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited)
        {
            into.Add(Int64(input, tag));
            return;
        }
        var packed = Nested(input, tag);
        while (!packed.IsAtEnd) into.Add(packed.ReadInt64());
    }

    private void ReadRepeatedUInt64(CodedInputStream input, uint tag, List<ulong> into)
    {
        if (WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited)
        {
            into.Add(UInt64(input, tag));
            return;
        }
        var packed = Nested(input, tag);
        while (!packed.IsAtEnd) into.Add(packed.ReadUInt64());
    }

    private void ReadRepeatedInt32(CodedInputStream input, uint tag, List<int> into)
    {
        if (WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited)
        {
            into.Add(Int32(input, tag));
            return;
        }
        var packed = Nested(input, tag);
        while (!packed.IsAtEnd) into.Add(packed.ReadInt32());
    }

    private void ReadRepeatedFloat(CodedInputStream input, uint tag, List<float> into)
    {
        if (WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited)
        {
            into.Add(Float(input, tag));
            return;
        }
        var bytes = Bytes(input, tag).Span;
        for (int i = 0; i + 4 <= bytes.Length; i += 4)
            into.Add(System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes[i..]));
    }

    private void ReadRepeatedDouble(CodedInputStream input, uint tag, List<double> into)
    {
        if (WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited)
        {
            into.Add(Double(input, tag));
            return;
        }
        var bytes = Bytes(input, tag).Span;
        for (int i = 0; i + 8 <= bytes.Length; i += 8)
            into.Add(System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(bytes[i..]));
    }
}
