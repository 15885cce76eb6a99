using ModelAudit.Tensors.Io;

namespace ModelAudit.Tensors.Tests.Io;

public sealed class NpyFileTests : IDisposable
{
    // numpy: (np.arange(6).reshape(2, 3) * 0.5 - 1)
    private static readonly float[] HalfSteps = [-1f, -0.5f, 0f, 0.5f, 1f, 1.5f];

    private readonly string _temp = Directory.CreateTempSubdirectory("npy-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Theory]
    [InlineData("f32_2x3.npy")]
    [InlineData("f32_v2.npy")]
    [InlineData("f32_v3.npy")]
    public void Read_NumpyFloat32AllHeaderVersions_ExactValues(string file)
    {
        var array = NpyFile.Read(IoFixtures.Path(file));
        Assert.Equal(NpyDType.Float32, array.DType);
        Assert.Equal([2, 3], array.Shape);
        Assert.Equal(HalfSteps, (float[])array.Data);
    }

    [Fact]
    public void Read_NumpyTypedArrays_ExactValues()
    {
        var f64 = NpyFile.Read(IoFixtures.Path("f64_2x3.npy"));
        Assert.Equal(NpyDType.Float64, f64.DType);
        Assert.Equal(new[] { 0, 1, 2, 3, 4, 5 }.Select(i => i * 0.25 + 1e-9).ToArray(), (double[])f64.Data);

        var i64 = NpyFile.Read(IoFixtures.Path("i64_4.npy"));
        Assert.Equal(new long[] { -3, 0, 7, 1L << 40 }, (long[])i64.Data);

        var i32 = NpyFile.Read(IoFixtures.Path("i32_2x2.npy"));
        Assert.Equal([2, 2], i32.Shape);
        Assert.Equal(new[] { 1, -2, 3, -4 }, (int[])i32.Data);

        Assert.Equal(new byte[] { 0, 128, 255 }, (byte[])NpyFile.Read(IoFixtures.Path("u8_3.npy")).Data);
        Assert.Equal(new[] { true, false, true }, (bool[])NpyFile.Read(IoFixtures.Path("bool_3.npy")).Data);

        var scalar = NpyFile.Read(IoFixtures.Path("scalar_f32.npy"));
        Assert.Empty(scalar.Shape);
        Assert.Equal(2.5f, ((float[])scalar.Data)[0]);
    }

    [Fact]
    public void WriteThenRead_EveryDType_RoundTripsExactly()
    {
        var arrays = new[]
        {
            NpyArray.FromFloat32([1.5f, -2f, float.Epsilon, 3e38f], 2, 2),
            new NpyArray(NpyDType.Float64, [3], new[] { Math.PI, -0.0, 1e-300 }),
            NpyArray.FromInt64([long.MinValue, 0, long.MaxValue], 3),
            new NpyArray(NpyDType.Int32, [1, 2], new[] { int.MinValue, 5 }),
            new NpyArray(NpyDType.UInt8, [2], new byte[] { 7, 255 }),
            new NpyArray(NpyDType.Bool, [2, 1], new[] { false, true }),
            NpyArray.FromFloat32([4f]),
        };
        foreach (var array in arrays)
        {
            var path = System.IO.Path.Combine(_temp, "a.npy");
            NpyFile.Write(path, array);
            var back = NpyFile.Read(path);
            Assert.Equal(array.DType, back.DType);
            Assert.Equal(array.Shape, back.Shape);
            Assert.Equal(array.Data.Cast<object>(), back.Data.Cast<object>());
        }
    }

    [Fact]
    public void Write_Float32_HeaderIsNumpyCompatibleAnd64ByteAligned()
    {
        var path = System.IO.Path.Combine(_temp, "b.npy");
        NpyFile.Write(path, NpyArray.FromFloat32(HalfSteps, 2, 3));
        var bytes = File.ReadAllBytes(path);
        // The data starts on a 64-byte boundary and the file is byte-identical to numpy.save's.
        Assert.Equal(0, (bytes.Length - 24) % 64);
        Assert.Equal(File.ReadAllBytes(IoFixtures.Path("f32_2x3.npy")), bytes);
    }

    [Theory]
    [InlineData("fortran.npy", "Fortran-order")]
    [InlineData("object.npy", "object arrays")]
    [InlineData("big_endian.npy", "big-endian")]
    [InlineData("float16.npy", "unsupported dtype '<f2'")]
    [InlineData("truncated.npy", "truncated")]
    [InlineData("missing.npy", "file not found")]
    [InlineData("stored.npz", "not a .npy file")]
    public void Read_UnsupportedOrBrokenFile_ErrorNamesFileAndProblem(string file, string problem)
    {
        var path = IoFixtures.Path(file);
        var e = Assert.Throws<DataFileException>(() => NpyFile.Read(path));
        Assert.StartsWith(path + ":", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void ToTensor_Int64Array_ConvertsToFloatWithShape()
    {
        var tensor = NpyFile.Read(IoFixtures.Path("i32_2x2.npy")).ToTensor();
        Assert.Equal(new TensorShape(2, 2), tensor.Shape);
        Assert.Equal(new[] { 1f, -2f, 3f, -4f }, tensor.ToArray());
    }

    [Fact]
    public void ToInt64_FractionalFloat_Throws()
    {
        var array = NpyArray.FromFloat32([1f, 2.5f], 2);
        Assert.Throws<DataFileException>(() => array.ToInt64());
        Assert.Equal(new long[] { 3, -1 }, NpyArray.FromFloat32([3f, -1f], 2).ToInt64());
    }
}
