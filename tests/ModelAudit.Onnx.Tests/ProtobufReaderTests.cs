using Google.Protobuf;
using ModelAudit.Onnx.Protobuf;

namespace ModelAudit.Onnx.Tests;

/// <summary>
/// The reader generated from the trimmed onnx.proto on bytes encoded field by field (packed and unpacked forms,
/// unknown fields, hostile lengths and nesting), and the tensor decoder.
/// </summary>
public sealed class ProtobufReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("onnx-reader").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

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
                a.WriteTag(20, WireFormat.WireType.Varint); a.WriteEnum((int)AttributeProto.Types.AttributeType.Ints);
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

        var proto = OnnxModelReader.ReadModel(model, "m.onnx");

        Assert.Equal(7, proto.IrVersion);
        var opset = Assert.Single(proto.OpsetImport);
        Assert.Equal(("", 13L), (opset.Domain, opset.Version));
        var n = Assert.Single(proto.Graph.Node);
        Assert.Equal(("Relu", "r", "x", "y"), (n.OpType, n.Name, n.Input[0], n.Output[0]));
        Assert.Equal(new long[] { 3, -4 }, Assert.Single(n.Attribute).Ints);
        var decoded = TensorProtoDecoder.Decode(Assert.Single(proto.Graph.Initializer), "m.onnx");
        Assert.Equal([2, 2], decoded.Dims);
        Assert.Equal(new long[] { -128, -1, 0, 127 }, decoded.Longs);
    }

    [Fact]
    public void ReadModel_TruncatedGraph_ErrorNamesFile()
    {
        var e = Assert.Throws<OnnxModelException>(() => OnnxModelReader.ReadModel([0x3A, 0x10, 0x01], "bad.onnx"));
        Assert.StartsWith("bad.onnx: not a valid ONNX model", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Read_KnownFieldWithWrongWireType_SkippedAsUnknownAndFileRefused()
    {
        // Field 1 (ir_version) is a varint; here it arrives length-delimited, as in a file that is not ONNX. Protobuf
        // parsers treat a known number with another wire type as an unknown field: skipped, so the model has no graph.
        Assert.Equal(0, OnnxModelReader.ReadModel([0x0A, 0x01, 0x00], "bad.onnx").IrVersion);
        var path = Path.Combine(_dir, "bad.onnx");
        File.WriteAllBytes(path, [0x0A, 0x01, 0x00]);
        Assert.Equal($"{path}: not an ONNX model (no graph)", Assert.Throws<OnnxModelException>(() => OnnxModel.Read(path)).Message);
    }

    [Fact]
    public void ReadModel_UnknownFields_DiscardedNotKept()
    {
        // A 64 KB field the trimmed schema does not declare (doc_string, 10) inside the graph: skipped and not kept, so
        // re-encoding the parsed model gives only the declared fields.
        var graph = Message(o =>
        {
            o.WriteTag(10, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(new byte[1 << 16]));
            o.WriteTag(2, WireFormat.WireType.LengthDelimited); o.WriteString("g");
        });
        var proto = OnnxModelReader.ReadModel(Message(o => WriteMessage(o, 7, graph)), "m.onnx");
        Assert.Equal("g", proto.Graph.Name);
        Assert.Equal(2 + 3, proto.CalculateSize()); // graph tag and length, then name's tag, length and 'g'
    }

    public static TheoryData<string> HostileLengthCases() => ["graph", "raw_data", "float_data"];

    [Theory]
    [MemberData(nameof(HostileLengthCases))]
    public void Read_LengthPrefixClaimsTwoGigabytes_OneLineErrorWithoutAllocatingIt(string field)
    {
        // A length prefix of 2^31 - 2 bytes with 16 bytes behind it: the parser must find the file short before
        // allocating what the prefix claims.
        const int claimed = int.MaxValue - 1;
        byte[] Claim(int number) => [.. Message(o => { o.WriteTag(number, WireFormat.WireType.LengthDelimited); o.WriteLength(claimed); }), .. new byte[16]];
        var bytes = field switch
        {
            "graph" => Claim(7),
            "raw_data" => Message(o => WriteMessage(o, 7, Message(g => WriteMessage(g, 5, Claim(9))))),
            _ => Message(o => WriteMessage(o, 7, Message(g => WriteMessage(g, 5, Claim(4))))),
        };
        // Inner lengths are consistent; the outer message lengths include the claim's 16 real bytes only.
        var path = Path.Combine(_dir, field + ".onnx");
        File.WriteAllBytes(path, bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Read(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.StartsWith($"{path}: not a valid ONNX model (protobuf decoding failed: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        // Buffers and exceptions only: far below the 2 GB claimed (16 MB leaves room for stream and parser buffers).
        Assert.True(allocated < 16 << 20, $"{allocated} bytes allocated");
    }

    [Fact]
    public void Read_NestingDeeperThanTheLimit_OneLineError()
    {
        // Nested unknown groups as deep as the limit: skipping them recurses; the recursion limit ends it with an
        // error, not a stack overflow. One level less (the model message itself takes one) is skipped.
        Assert.Equal(0, OnnxModelReader.ReadModel(Groups(OnnxModelReader.RecursionLimit - 1), "ok.onnx").CalculateSize());
        var bytes = Groups(OnnxModelReader.RecursionLimit);
        var path = Path.Combine(_dir, "deep.onnx");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Read(path));
        Assert.StartsWith($"{path}: not a valid ONNX model (protobuf decoding failed: Protocol message had too many levels of nesting.", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        static byte[] Groups(int depth) => Message(o =>
        {
            for (int i = 0; i < depth; i++) o.WriteTag(99, WireFormat.WireType.StartGroup);
            for (int i = 0; i < depth; i++) o.WriteTag(99, WireFormat.WireType.EndGroup);
        });
    }

    [Fact]
    public void Decode_RawFloat16BoolAndDouble_ConvertedExactly()
    {
        var half = new TensorProto { Name = "h", ElementType = OnnxDataType.Float16, RawData = ByteString.CopyFrom(0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38) };
        half.Dims.Add(3);
        Assert.Equal(new[] { 1f, -2f, 0.5f }, TensorProtoDecoder.Decode(half, "m.onnx").Floats);

        var flags = new TensorProto { Name = "b", ElementType = OnnxDataType.Bool, RawData = ByteString.CopyFrom(1, 0, 1) };
        flags.Dims.Add(3);
        Assert.Equal(new long[] { 1, 0, 1 }, TensorProtoDecoder.Decode(flags, "m.onnx").Longs);

        var doubles = new TensorProto { Name = "d", ElementType = OnnxDataType.Double };
        doubles.Dims.Add(2);
        doubles.DoubleData.AddRange([0.25, -3.0]);
        Assert.Equal(new[] { 0.25f, -3f }, TensorProtoDecoder.Decode(doubles, "m.onnx").Floats);

        var halfTyped = new TensorProto { Name = "ht", ElementType = OnnxDataType.Float16 };
        halfTyped.Int32Data.Add(0x3C00);
        Assert.Equal(new[] { 1f }, TensorProtoDecoder.Decode(halfTyped, "m.onnx").Floats);

        // bfloat16 is a float32's upper 16 bits: 0x3F80 = 1, 0xC040 = -3, 0x3E20 = 0.15625 (exact).
        var brain = new TensorProto { Name = "bf", ElementType = OnnxDataType.BFloat16, RawData = ByteString.CopyFrom(0x80, 0x3F, 0x40, 0xC0, 0x20, 0x3E) };
        brain.Dims.Add(3);
        Assert.Equal(new[] { 1f, -3f, 0.15625f }, TensorProtoDecoder.Decode(brain, "m.onnx").Floats);
        var brainTyped = new TensorProto { Name = "bft", ElementType = OnnxDataType.BFloat16 };
        brainTyped.Int32Data.Add(0xC040);
        Assert.Equal(new[] { -3f }, TensorProtoDecoder.Decode(brainTyped, "m.onnx").Floats);
    }

    [Fact]
    public void Decode_RawDataAndTypedField_RawDataWins()
    {
        // ONNX: raw_data, when set, holds the values; a typed field beside it is ignored.
        var both = new TensorProto { Name = "w", ElementType = OnnxDataType.Float, RawData = ByteString.CopyFrom(BitConverter.GetBytes(2.5f)) };
        both.Dims.Add(1);
        both.FloatData.Add(7f);
        Assert.Equal(new[] { 2.5f }, TensorProtoDecoder.Decode(both, "m.onnx").Floats);
    }

    [Fact]
    public void Decode_WrongByteCountOrUnsupportedType_ErrorNamesTensor()
    {
        var shortRaw = new TensorProto { Name = "w", ElementType = OnnxDataType.Float, RawData = ByteString.CopyFrom(0, 0, 0) };
        shortRaw.Dims.Add(1);
        Assert.Equal("m.onnx: tensor 'w': 3 bytes of data for 1 elements of Float (4 expected)",
            Assert.Throws<OnnxModelException>(() => TensorProtoDecoder.Decode(shortRaw, "m.onnx")).Message);

        var text = new TensorProto { Name = "s", ElementType = OnnxDataType.String };
        Assert.Equal("m.onnx: tensor 's': unsupported data type String",
            Assert.Throws<OnnxModelException>(() => TensorProtoDecoder.Decode(text, "m.onnx")).Message);
    }
}
