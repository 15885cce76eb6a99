using Google.Protobuf;
using ModelAudit.Onnx.Protobuf;

namespace ModelAudit.Onnx.Tests;

/// <summary>
/// Reads a model into the generated <see cref="ModelProto"/> and writes it back (the fields the trimmed schema
/// declares), so tests can load a fixture, change it in memory and write the hostile variant to a file.
/// </summary>
internal static class OnnxWriter
{
    public static ModelProto Read(string path) => OnnxModelReader.ReadModel(File.ReadAllBytes(path), path);

    public static void Write(ModelProto model, string path) => File.WriteAllBytes(path, model.ToByteArray());
}
