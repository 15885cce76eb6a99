using System.Buffers.Binary;
using System.Text;

namespace ModelAudit.Tensors.Io;

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0): little-endian
/// float32, float64, int64, int32, uint8 and bool arrays in C order.
/// </summary>
public static class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads an array from <paramref name="path"/>.</summary>
    /// <exception cref="DataFileException">The file is missing, malformed or holds an unsupported array; the message names the file.</exception>
    public static NpyArray Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = SafeFile.OpenRegular(path, long.MaxValue);
        return Read(stream, path, stream.Length);
    }

    /// <summary>Reads an array from a stream; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="DataFileException">Malformed, unsupported, truncated, or with bytes after the declared data; the message names <paramref name="name"/>.</exception>
    public static NpyArray Read(Stream stream, string name) => Read(stream, name, stream is { CanSeek: true } s ? s.Length - s.Position : null);

    /// <summary>Reads an array from a stream holding <paramref name="available"/> bytes from its position (null when unknown).</summary>
    internal static NpyArray Read(Stream stream, string name, long? available)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            return ReadCore(stream, name, available);
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

    private static NpyArray ReadCore(Stream stream, string name, long? available)
    {
        // magic (6), version (2), then the first two bytes of the header length.
        Span<byte> prefix = stackalloc byte[10];
        int got = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (got < Magic.Length || !prefix[..Magic.Length].SequenceEqual(Magic)) throw new DataFileException($"{name}: not a .npy file (bad magic)");
        if (got < prefix.Length) throw new EndOfStreamException();
        int major = prefix[6];
        long headerLength;
        int prefixLength = prefix.Length;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]);
        }
        else if (major is 2 or 3)
        {
            Span<byte> extra = stackalloc byte[2];
            stream.ReadExactly(extra);
            prefixLength += 2;
            headerLength = BinaryPrimitives.ReadUInt32LittleEndian([prefix[8], prefix[9], extra[0], extra[1]]);
        }
        else
        {
            throw new DataFileException($"{name}: unsupported .npy format version {major}.{prefix[7]}");
        }
        if (prefix[7] != 0) throw new DataFileException($"{name}: unsupported .npy format version {major}.{prefix[7]}");
        // NumPy headers are a short dict padded to 64 bytes; anything far longer is not a .npy header.
        if (headerLength > MaxHeaderBytes) throw new DataFileException($"{name}: .npy header of {headerLength} bytes is longer than the limit of {MaxHeaderBytes}");
        if (available is { } total && prefixLength + headerLength > total) throw new EndOfStreamException();
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (dtype, shape) = NpyHeader.Parse(header, name);
        long count = 1;
        foreach (var d in shape)
        {
            count *= d;
            if (count > int.MaxValue) throw new DataFileException($"{name}: array of shape {NpyArray.FormatShape(shape)} has more than 2^31-1 elements");
        }
        long dataBytes = count * ElementSize(dtype);
        if (dataBytes > Array.MaxLength) throw new DataFileException($"{name}: array of shape {NpyArray.FormatShape(shape)} needs {dataBytes} bytes, more than the limit of {Array.MaxLength}");
        // The payload must be exactly what the header declares: checked before allocating where the size is known.
        if (available is { } size && size - prefixLength - headerLength != dataBytes)
        {
            long actual = size - prefixLength - headerLength;
            throw actual < dataBytes
                ? new DataFileException($"{name}: data is truncated ({actual} of {dataBytes} bytes)")
                : new DataFileException($"{name}: {actual - dataBytes} bytes after the {dataBytes} bytes of data the header declares");
        }
        var data = ReadData(stream, dtype, (int)count, name);
        if (available is null && stream.ReadByte() >= 0)
            throw new DataFileException($"{name}: more bytes after the {dataBytes} bytes of data the header declares");
        return new NpyArray(dtype, shape, data);
    }

    /// <summary>The longest accepted header (NumPy writes well under 1 KiB even for rank-32 shapes).</summary>
    internal const int MaxHeaderBytes = 1 << 16;

    private static int ElementSize(NpyDType dtype) => dtype switch
    {
        NpyDType.Float32 or NpyDType.Int32 => 4,
        NpyDType.Float64 or NpyDType.Int64 => 8,
        _ => 1,
    };

    internal static NpyDType ParseDescr(string descr, string name)
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
        int size = ElementSize(dtype);
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
}

/// <summary>
/// Strict parser for the <c>.npy</c> header: a Python dict literal with exactly the keys
/// <c>descr</c> (a supported dtype string), <c>fortran_order</c> (<c>False</c>; <c>True</c> is refused)
/// and <c>shape</c> (a tuple of non-negative ints), then only padding whitespace.
/// </summary>
internal sealed class NpyHeader
{
    private readonly string _text;
    private readonly string _name;
    private int _pos;

    private NpyHeader(string text, string name)
    {
        _text = text;
        _name = name;
    }

    /// <summary>The dtype and shape a header declares; a one-line <see cref="DataFileException"/> naming the file otherwise.</summary>
    public static (NpyDType DType, int[] Shape) Parse(string header, string name) => new NpyHeader(header, name).Parse();

    private (NpyDType, int[]) Parse()
    {
        string? descr = null;
        bool? fortran = null;
        int[]? shape = null;
        Expect('{');
        while (true)
        {
            SkipSpace();
            if (Peek() == '}') break;
            string key = ReadString();
            Expect(':');
            SkipSpace();
            switch (key)
            {
                case "descr":
                    if (descr is not null) throw Malformed("key 'descr' appears twice");
                    descr = ReadString();
                    break;
                case "fortran_order":
                    if (fortran is not null) throw Malformed("key 'fortran_order' appears twice");
                    fortran = ReadBool();
                    break;
                case "shape":
                    if (shape is not null) throw Malformed("key 'shape' appears twice");
                    shape = ReadShape();
                    break;
                default:
                    throw Malformed($"unexpected key '{Printable(key)}' (expected descr, fortran_order, shape)");
            }
            SkipSpace();
            if (Peek() == ',')
            {
                _pos++;
                continue;
            }
            if (Peek() != '}') throw Malformed($"expected ',' or '}}' at offset {_pos}");
        }
        _pos++;
        // NumPy pads with spaces and ends with a newline; nothing else may follow the dict.
        SkipSpace();
        if (_pos != _text.Length) throw Malformed($"unexpected text after the dict at offset {_pos}");
        if (descr is null || fortran is null || shape is null)
            throw Malformed("missing key " + (descr is null ? "'descr'" : fortran is null ? "'fortran_order'" : "'shape'"));
        if (fortran.Value)
            throw new DataFileException($"{_name}: Fortran-order arrays are not supported (save with numpy.ascontiguousarray)");
        return (NpyFile.ParseDescr(descr, _name), shape);
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private void SkipSpace()
    {
        while (_pos < _text.Length && _text[_pos] is ' ' or '\t' or '\n' or '\r') _pos++;
    }

    private void Expect(char c)
    {
        SkipSpace();
        if (Peek() != c) throw Malformed($"expected '{c}' at offset {_pos}");
        _pos++;
    }

    private string ReadString()
    {
        char quote = Peek();
        if (quote is not ('\'' or '"')) throw Malformed($"expected a quoted string at offset {_pos}");
        int end = _text.IndexOf(quote, _pos + 1);
        if (end < 0) throw Malformed("unterminated string");
        var value = _text[(_pos + 1)..end];
        // Keys and dtype strings are plain ASCII; escapes would only hide something else.
        if (value.Contains('\\', StringComparison.Ordinal) || value.Any(char.IsControl)) throw Malformed("escape or control character in a string");
        _pos = end + 1;
        return value;
    }

    private bool ReadBool()
    {
        if (string.CompareOrdinal(_text, _pos, "True", 0, 4) == 0) { _pos += 4; return true; }
        if (string.CompareOrdinal(_text, _pos, "False", 0, 5) == 0) { _pos += 5; return false; }
        throw Malformed($"fortran_order must be True or False (offset {_pos})");
    }

    private int[] ReadShape()
    {
        if (Peek() != '(') throw Malformed($"shape must be a tuple (offset {_pos})");
        _pos++;
        var dims = new List<int>();
        bool trailingComma = false;
        while (true)
        {
            SkipSpace();
            if (Peek() == ')') break;
            int start = _pos;
            while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos])) _pos++;
            if (_pos == start) throw Malformed($"shape must hold non-negative integers (offset {start})");
            if (!int.TryParse(_text.AsSpan(start, _pos - start), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var d))
                throw Malformed($"dimension {_text[start.._pos]} is larger than {int.MaxValue}");
            // NumPy under Python 2 wrote long dimensions with an L suffix.
            if (Peek() == 'L') _pos++;
            dims.Add(d);
            SkipSpace();
            trailingComma = false;
            if (Peek() == ',')
            {
                _pos++;
                trailingComma = true;
                continue;
            }
            if (Peek() != ')') throw Malformed($"expected ',' or ')' in shape at offset {_pos}");
        }
        _pos++;
        // '(3)' is the int 3 in Python, not a tuple.
        if (dims.Count == 1 && !trailingComma) throw Malformed("shape (n) is not a tuple; a one-dimensional shape is written (n,)");
        return [.. dims];
    }

    private DataFileException Malformed(string problem)
        => new($"{_name}: malformed .npy header ({problem}): {Printable(_text.Trim())}");

    private static string Printable(string text)
    {
        var clean = new string([.. text.Select(c => char.IsControl(c) ? ' ' : c)]);
        return clean.Length > 200 ? clean[..200] + "..." : clean;
    }
}
