using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ModelAudit.Tensors.Io;

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0): little-endian
/// float32, float64, int64, int32, uint8 and bool arrays in C order.
/// </summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads an array from <paramref name="path"/>.</summary>
    /// <exception cref="DataFileException">The file is missing, malformed or holds an unsupported array; the message names the file.</exception>
    public static NpyArray Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new DataFileException($"{path}: file not found");
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads an array from a stream; <paramref name="name"/> names it in errors.</summary>
    public static NpyArray Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            return ReadCore(stream, name);
        }
        catch (EndOfStreamException e)
        {
            throw new DataFileException($"{name}: file is truncated", e);
        }
    }

    /// <summary>Writes <paramref name="array"/> to <paramref name="path"/> (version 1.0 header, or 2.0 when it does not fit).</summary>
    public static void Write(string path, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.Create(path);
        Write(stream, array);
    }

    /// <summary>Writes <paramref name="array"/> to a stream.</summary>
    public static void Write(Stream stream, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        string shape = array.Shape.Length switch
        {
            0 => "()",
            1 => $"({array.Shape[0]},)",
            _ => "(" + string.Join(", ", array.Shape) + ")",
        };
        string dict = $"{{'descr': '{Descr(array.DType)}', 'fortran_order': False, 'shape': {shape}, }}";
        int major = 1;
        int prefix = Magic.Length + 2 + 2;
        if (prefix + dict.Length + 1 > ushort.MaxValue)
        {
            major = 2;
            prefix = Magic.Length + 2 + 4;
        }
        // Pad with spaces so the data starts on a 64-byte boundary, as NumPy does.
        int total = (prefix + dict.Length + 1 + 63) / 64 * 64;
        string header = dict + new string(' ', total - prefix - dict.Length - 1) + "\n";
        stream.Write(Magic);
        stream.WriteByte((byte)major);
        stream.WriteByte(0);
        Span<byte> len = stackalloc byte[4];
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
            stream.Write(len[..2]);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)header.Length);
            stream.Write(len);
        }
        stream.Write(Encoding.ASCII.GetBytes(header));
        WriteData(stream, array.Data);
    }

    private static NpyArray ReadCore(Stream stream, string name)
    {
        // magic (6), version (2), then the first two bytes of the header length.
        Span<byte> prefix = stackalloc byte[10];
        int got = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (got < Magic.Length || !prefix[..Magic.Length].SequenceEqual(Magic)) throw new DataFileException($"{name}: not a .npy file (bad magic)");
        if (got < prefix.Length) throw new EndOfStreamException();
        int major = prefix[6];
        int headerLength;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]);
        }
        else if (major is 2 or 3)
        {
            Span<byte> extra = stackalloc byte[2];
            stream.ReadExactly(extra);
            headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian([prefix[8], prefix[9], extra[0], extra[1]]);
        }
        else
        {
            throw new DataFileException($"{name}: unsupported .npy format version {major}.{prefix[7]}");
        }
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (dtype, shape) = ParseHeader(header, name);
        long count = 1;
        foreach (var d in shape) count *= d;
        if (count > int.MaxValue) throw new DataFileException($"{name}: array of shape {NpyArray.FormatShape(shape)} is too large");
        var data = ReadData(stream, dtype, (int)count, name);
        return new NpyArray(dtype, shape, data);
    }

    private static (NpyDType, int[]) ParseHeader(string header, string name)
    {
        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success) throw new DataFileException($"{name}: malformed .npy header: {header.Trim()}");
        if (fortran.Groups[1].Value == "True")
            throw new DataFileException($"{name}: Fortran-order arrays are not supported (save with numpy.ascontiguousarray)");
        var dtype = ParseDescr(descr.Groups[1].Value, name);
        var dims = new List<int>();
        foreach (var part in shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // NumPy on some platforms writes long dimensions with an L suffix.
            var text = part.TrimEnd('L');
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var d))
                throw new DataFileException($"{name}: invalid dimension '{part}' in .npy header");
            dims.Add(d);
        }
        return (dtype, dims.ToArray());
    }

    private static NpyDType ParseDescr(string descr, string name)
    {
        if (descr.Length < 2) throw new DataFileException($"{name}: unsupported dtype '{descr}'");
        char order = descr[0];
        string kind = descr[1..];
        if (kind == "O") throw new DataFileException($"{name}: object arrays (dtype '{descr}') are not supported");
        NpyDType? dtype = kind switch
        {
            "f4" => NpyDType.Float32,
            "f8" => NpyDType.Float64,
            "i8" => NpyDType.Int64,
            "i4" => NpyDType.Int32,
            "u1" => NpyDType.UInt8,
            "b1" => NpyDType.Bool,
            _ => null,
        };
        if (dtype is null) throw new DataFileException($"{name}: unsupported dtype '{descr}' (supported: float32, float64, int64, int32, uint8, bool)");
        bool singleByte = dtype is NpyDType.UInt8 or NpyDType.Bool;
        if (order == '>' && !singleByte) throw new DataFileException($"{name}: big-endian dtype '{descr}' is not supported (convert with arr.astype('<{kind}'))");
        if (order is not ('<' or '|' or '=' or '>')) throw new DataFileException($"{name}: unsupported dtype '{descr}'");
        return dtype.Value;
    }

    private static Array ReadData(Stream stream, NpyDType dtype, int count, string name)
    {
        int size = dtype switch
        {
            NpyDType.Float32 or NpyDType.Int32 => 4,
            NpyDType.Float64 or NpyDType.Int64 => 8,
            _ => 1,
        };
        var bytes = new byte[(long)count * size];
        int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read < bytes.Length) throw new DataFileException($"{name}: data is truncated ({read} of {bytes.Length} bytes)");
        var s = bytes.AsSpan();
        switch (dtype)
        {
            case NpyDType.Float32:
            {
                var a = new float[count];
                for (int i = 0; i < count; i++) a[i] = BinaryPrimitives.ReadSingleLittleEndian(s[(4 * i)..]);
                return a;
            }
            case NpyDType.Float64:
            {
                var a = new double[count];
                for (int i = 0; i < count; i++) a[i] = BinaryPrimitives.ReadDoubleLittleEndian(s[(8 * i)..]);
                return a;
            }
            case NpyDType.Int64:
            {
                var a = new long[count];
                for (int i = 0; i < count; i++) a[i] = BinaryPrimitives.ReadInt64LittleEndian(s[(8 * i)..]);
                return a;
            }
            case NpyDType.Int32:
            {
                var a = new int[count];
                for (int i = 0; i < count; i++) a[i] = BinaryPrimitives.ReadInt32LittleEndian(s[(4 * i)..]);
                return a;
            }
            case NpyDType.UInt8:
                return bytes;
            default:
            {
                var a = new bool[count];
                for (int i = 0; i < count; i++) a[i] = bytes[i] != 0;
                return a;
            }
        }
    }

    private static void WriteData(Stream stream, Array data)
    {
        byte[] bytes;
        switch (data)
        {
            case float[] f:
                bytes = new byte[f.Length * 4];
                for (int i = 0; i < f.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), f[i]);
                break;
            case double[] d:
                bytes = new byte[d.Length * 8];
                for (int i = 0; i < d.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), d[i]);
                break;
            case long[] l:
                bytes = new byte[l.Length * 8];
                for (int i = 0; i < l.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * i), l[i]);
                break;
            case int[] n:
                bytes = new byte[n.Length * 4];
                for (int i = 0; i < n.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), n[i]);
                break;
            case byte[] b:
                bytes = b;
                break;
            case bool[] b:
                bytes = Array.ConvertAll(b, v => v ? (byte)1 : (byte)0);
                break;
            default:
                throw new ArgumentException($"Unsupported data type {data.GetType().Name}.", nameof(data));
        }
        stream.Write(bytes);
    }

    private static string Descr(NpyDType dtype) => dtype switch
    {
        NpyDType.Float32 => "<f4",
        NpyDType.Float64 => "<f8",
        NpyDType.Int64 => "<i8",
        NpyDType.Int32 => "<i4",
        NpyDType.UInt8 => "|u1",
        _ => "|b1",
    };

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""]([^'""]*)['""]")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
