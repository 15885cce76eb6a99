using Google.Protobuf;

namespace ModelAudit.Onnx.Protobuf;

/// <summary>
/// Reads an ONNX <see cref="ModelProto"/> with the classes generated from the trimmed <c>onnx.proto</c>.
/// </summary>
/// <remarks>
/// Bounds on hostile input: the model is parsed from the file stream, so no whole-file buffer is held and a
/// length prefix can only allocate what the file really holds (Google.Protobuf reads a field longer than its buffer
/// only after checking that the stream has that many bytes left, or chunk by chunk). The parse is capped at
/// <see cref="ModelLimits.MaxModelBytes"/> and <see cref="RecursionLimit"/> levels. Fields the trimmed
/// schema does not declare are skipped and discarded, not kept as unknown fields. Each initializer's raw data is one
/// <see cref="ByteString"/> copy of its bytes, released once decoded (<see cref="OnnxModel"/>).
/// </remarks>
internal static class OnnxModelReader
{
    /// <summary>
    /// The deepest message nesting accepted. The trimmed schema nests at most 7 levels (graph, value info, type,
    /// tensor type, shape, dimension); skipped unknown groups count too, so a hostile file cannot recurse deeply.
    /// </summary>
    public const int RecursionLimit = 16;

    private static readonly MessageParser<ModelProto> Parser = ModelProto.Parser.WithDiscardUnknownFields(true);

    /// <summary>Reads a model from a stream (read to its end); <paramref name="fileName"/> names the file in errors.</summary>
    /// <exception cref="OnnxModelException">The bytes are not a valid protobuf ModelProto, or exceed the limits.</exception>
    public static ModelProto ReadModel(Stream stream, string fileName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Parse(CodedInputStream.CreateWithLimits(stream, (int)ModelLimits.MaxModelBytes, RecursionLimit), fileName);
    }

    /// <summary>Reads a model from bytes; <paramref name="fileName"/> names the file in errors.</summary>
    /// <exception cref="OnnxModelException">The bytes are not a valid protobuf ModelProto, or exceed the limits.</exception>
    public static ModelProto ReadModel(byte[] bytes, string fileName)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return ReadModel(new MemoryStream(bytes, writable: false), fileName);
    }

    private static ModelProto Parse(CodedInputStream input, string fileName)
    {
        try
        {
            return Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxModelException($"{fileName}: not a valid ONNX model (protobuf decoding failed: {e.Message.ReplaceLineEndings(" ")})", e);
        }
        catch (IOException e)
        {
            throw new OnnxModelException($"{fileName}: cannot be read: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }
}
