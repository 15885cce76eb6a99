using ModelAudit.Tensors.Io;

namespace ModelAudit.Tensors.Tests.Io;

public sealed class NpzFileTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("npz-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Theory]
    [InlineData("stored.npz")]
    [InlineData("deflated.npz")]
    public void Read_NumpySavez_ReadsEveryMember(string file)
    {
        var arrays = NpzFile.Read(IoFixtures.Path(file));
        Assert.Equal(["x", "y"], arrays.Keys.Order());
        Assert.Equal(new[] { -1f, -0.5f, 0f, 0.5f, 1f, 1.5f }, (float[])arrays["x"].Data);
        Assert.Equal([2, 3], arrays["x"].Shape);
        Assert.Equal(new long[] { 1, 2 }, (long[])arrays["y"].Data);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WriteThenRead_StoredAndDeflated_RoundTrips(bool compress)
    {
        var path = Path.Combine(_temp, "a.npz");
        var input = new Dictionary<string, NpyArray>
        {
            ["weights"] = NpyArray.FromFloat32([1f, 2f, 3f, 4f], 2, 2),
            ["labels"] = NpyArray.FromInt64([9, 8, 7], 3),
        };
        NpzFile.Write(path, input, compress);
        var back = NpzFile.Read(path);
        Assert.Equal((float[])input["weights"].Data, (float[])back["weights"].Data);
        Assert.Equal((long[])input["labels"].Data, (long[])back["labels"].Data);
        Assert.Equal([3], back["labels"].Shape);
    }

    [Fact]
    public void Read_NotAZip_ErrorNamesFile()
    {
        var path = IoFixtures.Path("f32_2x3.npy");
        var e = Assert.Throws<DataFileException>(() => NpzFile.Read(path));
        Assert.StartsWith(path + ":", e.Message);
    }
}
