using System.Runtime.InteropServices;

namespace ModelAudit.Nif;

/// <summary>
/// Writes a copy of an ONNX file with some float32 initializers changed, by a byte-level rewrite: each
/// original tensor's little-endian float bytes (raw_data or packed float_data, same layout) must occur
/// exactly once in the file and are overwritten in place by the new values of the same length, so the
/// protobuf structure is untouched.
/// </summary>
internal static class InitializerRewrite
{
    /// <exception cref="InvalidOperationException">An original tensor is not found exactly once.</exception>
    public static void Write(string sourcePath, string destinationPath, IReadOnlyList<(float[] Original, float[] Replacement)> changes)
    {
        var bytes = File.ReadAllBytes(sourcePath);
        foreach (var (original, replacement) in changes)
        {
            if (original.Length != replacement.Length) throw new ArgumentException("A replacement must have the original's length.", nameof(changes));
            var pattern = MemoryMarshal.AsBytes(original.AsSpan()).ToArray();
            int at = bytes.AsSpan().IndexOf(pattern);
            if (at < 0 || bytes.AsSpan(at + 1).IndexOf(pattern) >= 0)
                throw new InvalidOperationException($"{sourcePath}: an initializer of {original.Length} floats is not stored exactly once as float32 bytes; cannot rewrite it");
            MemoryMarshal.AsBytes(replacement.AsSpan()).CopyTo(bytes.AsSpan(at));
        }
        using var staged = Tensors.Io.StagedFile.Write(destinationPath, s => s.Write(bytes));
        staged.Commit();
    }
}
