using System.Buffers.Binary;
using System.Text;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Tensors.Tests.Io;

/// <summary>The .npy header is parsed strictly (issue 11, item 13) and the payload must match it exactly.</summary>
public sealed class NpyHeaderTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("npy-header-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    /// <summary>A version 1.0 file with <paramref name="dict"/> as header (padded as NumPy does) and <paramref name="payload"/> bytes.</summary>
    private string Write(string dict, int payload)
    {
        int total = (10 + dict.Length + 1 + 63) / 64 * 64;
        var header = dict + new string(' ', total - 10 - dict.Length - 1) + "\n";
        using var memory = new MemoryStream();
        memory.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        var len = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
        memory.Write(len);
        memory.Write(Encoding.Latin1.GetBytes(header));
        memory.Write(new byte[payload]);
        var path = Path.Combine(_temp, "a.npy");
        File.WriteAllBytes(path, memory.ToArray());
        return path;
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 24)]
    [InlineData("{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":(6,)}", 24)]
    [InlineData("{'shape': (2L, 3L), 'fortran_order': False, 'descr': '<f4'}", 24)]
    [InlineData("{'descr': '|u1', 'fortran_order': False, 'shape': ()}", 1)]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }", 0)]
    public void Read_WellFormedHeader_Accepted(string dict, int payload)
    {
        var array = NpyFile.Read(Write(dict, payload));
        Assert.Equal(payload / Math.Max(1, array.DType == NpyDType.Float32 ? 4 : 1), array.Length);
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False}", "missing key 'shape'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'extra': 1}", "unexpected key 'extra'")]
    [InlineData("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (6,)}", "key 'descr' appears twice")]
    [InlineData("{'descr': '<f4', 'fortran_order': 0, 'shape': (6,)}", "fortran_order must be True or False")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (6)}", "shape (n) is not a tuple")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (-6,)}", "shape must hold non-negative integers")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': [6]}", "shape must be a tuple")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,)}", "dimension 99999999999 is larger than 2147483647")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (6,)} trailing", "unexpected text after the dict")]
    [InlineData("'descr': '<f4', 'fortran_order': False, 'shape': (6,)", "expected '{'")]
    [InlineData("{'descr': <f4, 'fortran_order': False, 'shape': (6,)}", "expected a quoted string")]
    [InlineData("{'descr': '<f4' 'fortran_order': False, 'shape': (6,)}", "expected ',' or '}'")]
    [InlineData("{'descr': '<c8', 'fortran_order': False, 'shape': (6,)}", "unsupported dtype '<c8'")]
    [InlineData("{'descr': '<f4', 'fortran_order': True, 'shape': (6,)}", "Fortran-order arrays are not supported")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536)}", "has more than 2^31-1 elements")]
    public void Read_MalformedHeader_OneLineErrorNamingFile(string dict, string problem)
    {
        var path = Write(dict, 24);
        var e = Assert.Throws<DataFileException>(() => NpyFile.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(problem, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Read_PayloadShorterOrLongerThanDeclared_Refused()
    {
        const string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }";
        var shortPath = Write(dict, 20);
        Assert.Equal($"{shortPath}: data is truncated (20 of 24 bytes)", Assert.Throws<DataFileException>(() => NpyFile.Read(shortPath)).Message);
        var longPath = Write(dict, 30);
        Assert.Equal($"{longPath}: 6 bytes after the 24 bytes of data the header declares", Assert.Throws<DataFileException>(() => NpyFile.Read(longPath)).Message);
        // A header declaring 2^31-1 float64 elements in a small file is refused before allocating 16 GiB.
        var huge = Write("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647,), }", 24);
        Assert.Contains("more than the limit", Assert.Throws<DataFileException>(() => NpyFile.Read(huge)).Message);
    }

    [Fact]
    public void ReadStream_NonSeekableWithTrailingBytes_Refused()
    {
        var path = Write("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", 28);
        using var stream = new NonSeekable(File.ReadAllBytes(path));
        var e = Assert.Throws<DataFileException>(() => NpyFile.Read(stream, "member.npy"));
        Assert.Equal("member.npy: more bytes after the 24 bytes of data the header declares", e.Message);
    }

    private sealed class NonSeekable(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
