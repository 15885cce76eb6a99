using System.Buffers.Binary;
using System.Globalization;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Onnx.Protobuf;

/// <summary>
/// Turns a <see cref="TensorProto"/> into an <see cref="OnnxTensor"/>: little-endian <c>raw_data</c>,
/// the typed repeated fields, or an external data file relative to the model's folder.
/// </summary>
internal static class TensorProtoDecoder
{
    /// <param name="proto">The tensor.</param>
    /// <param name="modelPath">The model file (names it in errors; external data is relative to its folder).</param>
    public static OnnxTensor Decode(TensorProto proto, string modelPath)
    {
        string where = $"{modelPath}: tensor '{proto.Name}'";
        var dims = new int[proto.Dims.Count];
        for (int i = 0; i < dims.Length; i++)
        {
            if (proto.Dims[i] < 0 || proto.Dims[i] > int.MaxValue) throw new OnnxModelException($"{where}: invalid dimension {proto.Dims[i]}");
            dims[i] = (int)proto.Dims[i];
        }
        long count = ModelLimits.ElementCount(dims);
        if (count > ModelLimits.MaxTensorElements) throw new OnnxModelException($"{where}: dimensions [{string.Join(",", dims)}] hold more than {ModelLimits.MaxTensorElements} elements");
        int n = (int)count;
        var type = proto.ElementType;
        if (!OnnxTensor.IsSupportedType(type)) throw new OnnxModelException($"{where}: unsupported data type {type}");

        // proto3 raw_data has no presence: empty raw_data means the values are in the typed field (or there are none).
        ReadOnlyMemory<byte>? rawData = proto.IsExternal ? ReadExternal(proto, modelPath, where, (long)n * ElementSize(type))
            : proto.RawData.IsEmpty ? (ReadOnlyMemory<byte>?)null : proto.RawData.Memory;
        if (rawData is { } raw)
        {
            int size = ElementSize(type);
            if (raw.Length != (long)n * size)
                throw new OnnxModelException($"{where}: {raw.Length} bytes of data for {n} elements of {type} ({(long)n * size} expected)");
            return DecodeRaw(raw, type, n, dims);
        }
        return DecodeTyped(proto, type, n, dims, where);
    }

    private static int ElementSize(OnnxDataType type) => type switch
    {
        OnnxDataType.Float or OnnxDataType.Int32 or OnnxDataType.UInt32 => 4,
        OnnxDataType.Double or OnnxDataType.Int64 or OnnxDataType.UInt64 => 8,
        OnnxDataType.Float16 or OnnxDataType.Int16 or OnnxDataType.UInt16 or OnnxDataType.BFloat16 => 2,
        _ => 1,
    };

    private static OnnxTensor DecodeRaw(ReadOnlyMemory<byte> raw, OnnxDataType type, int n, int[] dims)
    {
        var s = raw.Span;
        switch (type)
        {
            case OnnxDataType.Float:
            {
                var f = new float[n];
                for (int i = 0; i < n; i++) f[i] = BinaryPrimitives.ReadSingleLittleEndian(s[(4 * i)..]);
                return OnnxTensor.FromFloats(f, dims);
            }
            case OnnxDataType.Double:
            {
                var f = new float[n];
                for (int i = 0; i < n; i++) f[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(s[(8 * i)..]);
                return OnnxTensor.FromFloats(f, dims);
            }
            case OnnxDataType.Float16:
            {
                var f = new float[n];
                for (int i = 0; i < n; i++) f[i] = (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(s[(2 * i)..]));
                return OnnxTensor.FromFloats(f, dims);
            }
            case OnnxDataType.BFloat16:
            {
                var f = new float[n];
                for (int i = 0; i < n; i++) f[i] = BFloat16ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(s[(2 * i)..]));
                return OnnxTensor.FromFloats(f, dims);
            }
        }
        var l = new long[n];
        for (int i = 0; i < n; i++)
        {
            l[i] = type switch
            {
                OnnxDataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(s[(8 * i)..]),
                OnnxDataType.UInt64 => (long)BinaryPrimitives.ReadUInt64LittleEndian(s[(8 * i)..]),
                OnnxDataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(s[(4 * i)..]),
                OnnxDataType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(s[(4 * i)..]),
                OnnxDataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(s[(2 * i)..]),
                OnnxDataType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(s[(2 * i)..]),
                OnnxDataType.Int8 => (sbyte)s[i],
                OnnxDataType.Bool => s[i] != 0 ? 1 : 0,
                _ => s[i],
            };
        }
        return OnnxTensor.FromLongs(l, dims, type);
    }

    // bfloat16 is the upper half of a float32: widening is exact.
    private static float BFloat16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    private static OnnxTensor DecodeTyped(TensorProto proto, OnnxDataType type, int n, int[] dims, string where)
    {
        void CheckCount(int actual, string field)
        {
            if (actual != n) throw new OnnxModelException($"{where}: {field} has {actual} elements but the dimensions need {n}");
        }
        switch (type)
        {
            case OnnxDataType.Float:
                CheckCount(proto.FloatData.Count, "float_data");
                return OnnxTensor.FromFloats([.. proto.FloatData], dims);
            case OnnxDataType.Double:
                CheckCount(proto.DoubleData.Count, "double_data");
                return OnnxTensor.FromFloats([.. proto.DoubleData.Select(d => (float)d)], dims);
            case OnnxDataType.Float16:
                // float16 bits are stored in the low 16 bits of int32_data.
                CheckCount(proto.Int32Data.Count, "int32_data");
                return OnnxTensor.FromFloats([.. proto.Int32Data.Select(b => (float)BitConverter.UInt16BitsToHalf((ushort)b))], dims);
            case OnnxDataType.BFloat16:
                // bfloat16 bits, like float16's, are stored in the low 16 bits of int32_data.
                CheckCount(proto.Int32Data.Count, "int32_data");
                return OnnxTensor.FromFloats([.. proto.Int32Data.Select(b => BFloat16ToSingle((ushort)b))], dims);
            case OnnxDataType.Int64:
                CheckCount(proto.Int64Data.Count, "int64_data");
                return OnnxTensor.FromLongs([.. proto.Int64Data], dims, type);
            case OnnxDataType.UInt64 or OnnxDataType.UInt32:
                CheckCount(proto.Uint64Data.Count, "uint64_data");
                return OnnxTensor.FromLongs([.. proto.Uint64Data.Select(u => (long)u)], dims, type);
            default:
                CheckCount(proto.Int32Data.Count, "int32_data");
                return OnnxTensor.FromLongs([.. proto.Int32Data.Select(v => type == OnnxDataType.Bool ? (v != 0 ? 1L : 0L) : v)], dims, type);
        }
    }

    /// <summary>
    /// Reads exactly <paramref name="expected"/> bytes (the size the dimensions and type declare) of
    /// external data. The file must resolve, symbolic links followed, to a regular file inside the
    /// model's real folder, and the declared range must lie inside it.
    /// </summary>
    private static byte[] ReadExternal(TensorProto proto, string modelPath, string where, long expected)
    {
        if (proto.ExternalValue("location") is not { Length: > 0 } location)
            throw new OnnxModelException($"{where}: external data without a location");
        if (Path.IsPathRooted(location) || location.Split('/', '\\').Contains("..") || location.Contains('\0', StringComparison.Ordinal))
            throw new OnnxModelException($"{where}: external data location '{location}' must be relative to the model's folder");
        long offset = ParseLong(proto, "offset", 0, where);
        long length = ParseLong(proto, "length", expected, where);
        if (offset < 0 || length < 0) throw new OnnxModelException($"{where}: external data offset {offset} and length {length} must not be negative");
        if (length != expected)
            throw new OnnxModelException($"{where}: external data length {length} does not match the {expected} bytes its dimensions and type need");
        var dir = RealPath(Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".", where);
        var file = RealPath(Path.Combine(dir, location), where);
        // A link inside the folder may point anywhere: what counts is where it resolves to.
        if (!file.StartsWith(dir.EndsWith(Path.DirectorySeparatorChar) ? dir : dir + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new OnnxModelException($"{where}: external data location '{location}' resolves to '{file}', outside the model's folder '{dir}'");
        if (!File.Exists(file) && !Directory.Exists(file)) throw new OnnxModelException($"{where}: external data file '{Path.Combine(dir, location)}' not found");
        try
        {
            using var stream = SafeFile.OpenRegular(file, long.MaxValue);
            // Compared without adding, so a huge offset cannot overflow past the check.
            if (offset > stream.Length || length > stream.Length - offset)
                throw new OnnxModelException($"{where}: external data range offset {offset} length {length} exceeds '{location}' ({stream.Length} bytes)");
            var bytes = new byte[length];
            stream.Seek(offset, SeekOrigin.Begin);
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception e) when (e is DataFileException or IOException)
        {
            throw new OnnxModelException($"{where}: external data: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    /// <summary>The path with every symbolic link resolved (component by component, at most 40 links).</summary>
    internal static string RealPath(string path, string where)
    {
        int links = 0;
        return Resolve(Path.GetFullPath(path));

        string Resolve(string full)
        {
            var parent = Path.GetDirectoryName(full);
            if (parent is null) return full;
            var candidate = Path.Combine(Resolve(parent), Path.GetFileName(full));
            string? target;
            try
            {
                target = new FileInfo(candidate).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new OnnxModelException($"{where}: cannot resolve '{candidate}': {e.Message.ReplaceLineEndings(" ")}", e);
            }
            if (target is null) return candidate;
            if (++links > 40) throw new OnnxModelException($"{where}: too many symbolic links resolving '{path}'");
            return Resolve(Path.GetFullPath(target, Path.GetDirectoryName(candidate)!));
        }
    }

    private static long ParseLong(TensorProto proto, string key, long fallback, string where)
    {
        if (proto.ExternalValue(key) is not { } text) return fallback;
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new OnnxModelException($"{where}: external data {key} '{text}' is not a number");
    }
}
