namespace ModelAudit.Onnx;

/// <summary>
/// An ONNX model that cannot be read or imported: malformed protobuf, unsupported opset or operators,
/// missing external data, or a node whose inputs do not fit. The message names the file and node, and is
/// always one line: control characters a hostile file puts in names are shown escaped.
/// </summary>
public sealed class OnnxModelException(string message, Exception? inner = null) : Exception(OneLine(message), inner)
{
    private static string OneLine(string message)
    {
        if (!message.Any(char.IsControl)) return message;
        var text = new System.Text.StringBuilder(message.Length + 8);
        foreach (var c in message)
            text.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString());
        return text.ToString();
    }
}
