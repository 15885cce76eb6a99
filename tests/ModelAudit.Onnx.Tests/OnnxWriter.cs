using Google.Protobuf;
using ModelAudit.Onnx.Protobuf;

namespace ModelAudit.Onnx.Tests;

/// <summary>
/// Encodes the reader's <see cref="ModelProto"/> back to ONNX bytes (the fields the reader knows), so
/// tests can load a fixture, change it in memory and write the hostile variant to a file.
/// </summary>
internal static class OnnxWriter
{
    public static ModelProto Read(string path) => OnnxProtoReader.ReadModel(File.ReadAllBytes(path), path);

    public static void Write(ModelProto model, string path) => File.WriteAllBytes(path, Encode(model));

    public static byte[] Encode(ModelProto model) => Message(o =>
    {
        o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt64(model.IrVersion);
        if (model.ProducerName.Length > 0) { o.WriteTag(2, WireFormat.WireType.LengthDelimited); o.WriteString(model.ProducerName); }
        Sub(o, 7, Graph(model.Graph));
        foreach (var (domain, version) in model.OpsetImport)
            Sub(o, 8, Message(s =>
            {
                s.WriteTag(1, WireFormat.WireType.LengthDelimited); s.WriteString(domain);
                s.WriteTag(2, WireFormat.WireType.Varint); s.WriteInt64(version);
            }));
    });

    private static byte[] Graph(GraphProto graph) => Message(o =>
    {
        foreach (var n in graph.Nodes) Sub(o, 1, Node(n));
        o.WriteTag(2, WireFormat.WireType.LengthDelimited); o.WriteString(graph.Name);
        foreach (var t in graph.Initializers) Sub(o, 5, Tensor(t));
        foreach (var v in graph.Inputs) Sub(o, 11, ValueInfo(v));
        foreach (var v in graph.Outputs) Sub(o, 12, ValueInfo(v));
        foreach (var v in graph.ValueInfo) Sub(o, 13, ValueInfo(v));
    });

    private static byte[] Node(NodeProto node) => Message(o =>
    {
        foreach (var i in node.Inputs) { o.WriteTag(1, WireFormat.WireType.LengthDelimited); o.WriteString(i); }
        foreach (var i in node.Outputs) { o.WriteTag(2, WireFormat.WireType.LengthDelimited); o.WriteString(i); }
        o.WriteTag(3, WireFormat.WireType.LengthDelimited); o.WriteString(node.Name);
        o.WriteTag(4, WireFormat.WireType.LengthDelimited); o.WriteString(node.OpType);
        foreach (var a in node.Attributes) Sub(o, 5, Attribute(a));
        if (node.Domain.Length > 0) { o.WriteTag(7, WireFormat.WireType.LengthDelimited); o.WriteString(node.Domain); }
    });

    private static byte[] Attribute(AttributeProto a) => Message(o =>
    {
        o.WriteTag(1, WireFormat.WireType.LengthDelimited); o.WriteString(a.Name);
        o.WriteTag(2, WireFormat.WireType.Fixed32); o.WriteFloat(a.F);
        o.WriteTag(3, WireFormat.WireType.Varint); o.WriteInt64(a.I);
        if (a.S.Length > 0) { o.WriteTag(4, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(a.S)); }
        if (a.T is not null) Sub(o, 5, Tensor(a.T));
        foreach (var f in a.Floats) { o.WriteTag(7, WireFormat.WireType.Fixed32); o.WriteFloat(f); }
        foreach (var i in a.Ints) { o.WriteTag(8, WireFormat.WireType.Varint); o.WriteInt64(i); }
        foreach (var s in a.Strings) { o.WriteTag(9, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(s)); }
        o.WriteTag(20, WireFormat.WireType.Varint); o.WriteInt32((int)a.Type);
    });

    public static byte[] Tensor(TensorProto t) => Message(o =>
    {
        foreach (var d in t.Dims) { o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt64(d); }
        o.WriteTag(2, WireFormat.WireType.Varint); o.WriteInt32((int)t.DataType);
        foreach (var f in t.FloatData) { o.WriteTag(4, WireFormat.WireType.Fixed32); o.WriteFloat(f); }
        foreach (var i in t.Int32Data) { o.WriteTag(5, WireFormat.WireType.Varint); o.WriteInt32(i); }
        foreach (var i in t.Int64Data) { o.WriteTag(7, WireFormat.WireType.Varint); o.WriteInt64(i); }
        o.WriteTag(8, WireFormat.WireType.LengthDelimited); o.WriteString(t.Name);
        if (t.RawData is not null) { o.WriteTag(9, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(t.RawData.Value.Span)); }
        foreach (var d in t.DoubleData) { o.WriteTag(10, WireFormat.WireType.Fixed64); o.WriteDouble(d); }
        foreach (var u in t.UInt64Data) { o.WriteTag(11, WireFormat.WireType.Varint); o.WriteUInt64(u); }
        foreach (var (k, v) in t.ExternalData)
            Sub(o, 13, Message(s =>
            {
                s.WriteTag(1, WireFormat.WireType.LengthDelimited); s.WriteString(k);
                s.WriteTag(2, WireFormat.WireType.LengthDelimited); s.WriteString(v);
            }));
        if (t.IsExternal) { o.WriteTag(14, WireFormat.WireType.Varint); o.WriteInt32(1); }
    });

    private static byte[] ValueInfo(ValueInfoProto v) => Message(o =>
    {
        o.WriteTag(1, WireFormat.WireType.LengthDelimited); o.WriteString(v.Name);
        var tensorType = Message(tt =>
        {
            tt.WriteTag(1, WireFormat.WireType.Varint); tt.WriteInt32((int)v.ElementType);
            if (v.Shape is not null)
                Sub(tt, 2, Message(sh =>
                {
                    foreach (var d in v.Shape)
                        Sub(sh, 1, Message(dm =>
                        {
                            if (d.Value is long value) { dm.WriteTag(1, WireFormat.WireType.Varint); dm.WriteInt64(value); }
                            if (d.Param is not null) { dm.WriteTag(2, WireFormat.WireType.LengthDelimited); dm.WriteString(d.Param); }
                        }));
                }));
        });
        Sub(o, 2, Message(tp => Sub(tp, 1, tensorType)));
    });

    private static void Sub(CodedOutputStream output, int field, byte[] body)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(body));
    }

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var memory = new MemoryStream();
        var output = new CodedOutputStream(memory);
        write(output);
        output.Flush();
        return memory.ToArray();
    }
}
