using Google.Protobuf;
using ModelAudit.Onnx.Protobuf;

namespace ModelAudit.Onnx.Tests;

/// <summary>The hand-written decoder on bytes encoded field by field (packed and unpacked forms, unknown fields).</summary>
public sealed class ProtobufReaderTests
{
    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var memory = new MemoryStream();
        var output = new CodedOutputStream(memory);
        write(output);
        output.Flush();
        return memory.ToArray();
    }

    private static void WriteMessage(CodedOutputStream output, int field, byte[] body)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(body));
    }

    [Fact]
    public void ReadModel_UnpackedDimsUnknownFieldsAndTypedData_Decoded()
    {
        var tensor = Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt64(2); // dims, unpacked
            o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt64(2);
            o.WriteTag(2, WireFormat.WireType.Varint); o.WriteInt32((int)OnnxDataType.Int8);
            o.WriteTag(8, WireFormat.WireType.LengthDelimited); o.WriteString("w");
            o.WriteTag(99, WireFormat.WireType.Fixed32); o.WriteFixed32(7); // unknown field
            foreach (var v in new[] { -128, -1, 0, 127 })
            {
                o.WriteTag(5, WireFormat.WireType.Varint); o.WriteInt32(v); // int32_data, unpacked
            }
        });
        var node = Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited); o.WriteString("x");
            o.WriteTag(2, WireFormat.WireType.LengthDelimited); o.WriteString("y");
            o.WriteTag(4, WireFormat.WireType.LengthDelimited); o.WriteString("Relu");
            o.WriteTag(3, WireFormat.WireType.LengthDelimited); o.WriteString("r");
            WriteMessage(o, 5, Message(a =>
            {
                a.WriteTag(1, WireFormat.WireType.LengthDelimited); a.WriteString("ints");
                a.WriteTag(8, WireFormat.WireType.LengthDelimited);
                a.WriteBytes(ByteString.CopyFrom(Message(p => { p.WriteInt64(3); p.WriteInt64(-4); }))); // packed
                a.WriteTag(20, WireFormat.WireType.Varint); a.WriteEnum((int)AttributeType.Ints);
            }));
        });
        var graph = Message(o =>
        {
            WriteMessage(o, 1, node);
            WriteMessage(o, 5, tensor);
            o.WriteTag(10, WireFormat.WireType.LengthDelimited); o.WriteString("doc string, skipped");
        });
        var model = Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt64(7);
            WriteMessage(o, 8, Message(s => { s.WriteTag(2, WireFormat.WireType.Varint); s.WriteInt64(13); }));
            WriteMessage(o, 7, graph);
        });

        var proto = OnnxProtoReader.ReadModel(model, "m.onnx");

        Assert.Equal(7, proto.IrVersion);
        Assert.Equal(("", 13L), Assert.Single(proto.OpsetImport));
        var n = Assert.Single(proto.Graph.Nodes);
        Assert.Equal(("Relu", "r", "x", "y"), (n.OpType, n.Name, n.Inputs[0], n.Outputs[0]));
        Assert.Equal(new long[] { 3, -4 }, Assert.Single(n.Attributes).Ints);
        var decoded = TensorProtoDecoder.Decode(Assert.Single(proto.Graph.Initializers), "m.onnx");
        Assert.Equal([2, 2], decoded.Dims);
        Assert.Equal(new long[] { -128, -1, 0, 127 }, decoded.Longs);
    }

    [Fact]
    public void ReadModel_TruncatedGraph_ErrorNamesFile()
    {
        var e = Assert.Throws<OnnxModelException>(() => OnnxProtoReader.ReadModel([0x3A, 0x10, 0x01], "bad.onnx"));
        Assert.StartsWith("bad.onnx: not a valid ONNX model", e.Message);
    }

    [Fact]
    public void ReadModel_KnownFieldWithWrongWireType_ErrorNamesFileAndField()
    {
        // Field 1 (ir_version) is a varint; here it arrives length-delimited, as in a file that is not ONNX.
        var e = Assert.Throws<OnnxModelException>(() => OnnxProtoReader.ReadModel([0x0A, 0x01, 0x00], "bad.onnx"));
        Assert.Equal("bad.onnx: not a valid ONNX model (protobuf decoding failed: field 1 has wire type LengthDelimited, expected Varint)", e.Message);
    }

    [Fact]
    public void Decode_RawFloat16BoolAndDouble_ConvertedExactly()
    {
        var half = new TensorProto { Name = "h", DataType = OnnxDataType.Float16, RawData = new byte[] { 0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38 } };
        half.Dims.Add(3);
        Assert.Equal(new[] { 1f, -2f, 0.5f }, TensorProtoDecoder.Decode(half, "m.onnx").Floats);

        var flags = new TensorProto { Name = "b", DataType = OnnxDataType.Bool, RawData = new byte[] { 1, 0, 1 } };
        flags.Dims.Add(3);
        Assert.Equal(new long[] { 1, 0, 1 }, TensorProtoDecoder.Decode(flags, "m.onnx").Longs);

        var doubles = new TensorProto { Name = "d", DataType = OnnxDataType.Double };
        doubles.Dims.Add(2);
        doubles.DoubleData.AddRange([0.25, -3.0]);
        Assert.Equal(new[] { 0.25f, -3f }, TensorProtoDecoder.Decode(doubles, "m.onnx").Floats);

        var halfTyped = new TensorProto { Name = "ht", DataType = OnnxDataType.Float16 };
        halfTyped.Int32Data.Add(0x3C00);
        Assert.Equal(new[] { 1f }, TensorProtoDecoder.Decode(halfTyped, "m.onnx").Floats);
    }

    [Fact]
    public void Decode_WrongByteCountOrUnsupportedType_ErrorNamesTensor()
    {
        var shortRaw = new TensorProto { Name = "w", DataType = OnnxDataType.Float, RawData = new byte[] { 0, 0, 0 } };
        shortRaw.Dims.Add(1);
        Assert.Equal("m.onnx: tensor 'w': 3 bytes of data for 1 elements of Float (4 expected)",
            Assert.Throws<OnnxModelException>(() => TensorProtoDecoder.Decode(shortRaw, "m.onnx")).Message);

        var text = new TensorProto { Name = "s", DataType = OnnxDataType.String };
        Assert.Equal("m.onnx: tensor 's': unsupported data type String",
            Assert.Throws<OnnxModelException>(() => TensorProtoDecoder.Decode(text, "m.onnx")).Message);
    }
}
