using System.Globalization;

namespace ModelAudit.Tensors.Io;

/// <summary>
/// A C-order array read from or written to a NumPy file: its shape, element type and elements in a
/// typed array (<see cref="float"/>[] for float32, <see cref="long"/>[] for int64, and so on).
/// </summary>
public sealed class NpyArray
{
    /// <summary>Wraps <paramref name="data"/> (not copied), whose element type must match <paramref name="dtype"/>.</summary>
    public NpyArray(NpyDType dtype, int[] shape, Array data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        var expectedType = ElementType(dtype);
        if (data.GetType() != expectedType.MakeArrayType())
            throw new ArgumentException($"A {dtype} array needs {expectedType.Name}[] data, got {data.GetType().Name}.", nameof(data));
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Negative dimension in shape {FormatShape(shape)}.", nameof(shape));
            count *= d;
        }
        if (count != data.Length) throw new ArgumentException($"Shape {FormatShape(shape)} needs {count} elements but {data.Length} were given.", nameof(data));
        DType = dtype;
        Shape = (int[])shape.Clone();
        Data = data;
    }

    /// <summary>The element type.</summary>
    public NpyDType DType { get; }

    /// <summary>The dimensions.</summary>
    public int[] Shape { get; }

    /// <summary>The elements in C order, a <see cref="float"/>[], <see cref="double"/>[], <see cref="long"/>[], <see cref="int"/>[], <see cref="byte"/>[] or <see cref="bool"/>[].</summary>
    public Array Data { get; }

    /// <summary>Number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>A float32 array.</summary>
    public static NpyArray FromFloat32(float[] data, params int[] shape) => new(NpyDType.Float32, shape, data);

    /// <summary>An int64 array.</summary>
    public static NpyArray FromInt64(long[] data, params int[] shape) => new(NpyDType.Int64, shape, data);

    /// <summary>A float32 array with the tensor's shape and elements (copied).</summary>
    public static NpyArray FromTensor(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return FromFloat32(tensor.ToArray(), tensor.Shape.ToArray());
    }

    /// <summary>The elements converted to float32 (a copy).</summary>
    public float[] ToFloat32() => Data switch
    {
        float[] f => (float[])f.Clone(),
        double[] d => Array.ConvertAll(d, v => (float)v),
        long[] l => Array.ConvertAll(l, v => (float)v),
        int[] i => Array.ConvertAll(i, v => (float)v),
        byte[] b => Array.ConvertAll(b, v => (float)v),
        bool[] b => Array.ConvertAll(b, v => v ? 1f : 0f),
        _ => throw new InvalidOperationException($"Unexpected data type {Data.GetType().Name}."),
    };

    /// <summary>The elements as int64 (a copy); floating types must hold whole numbers.</summary>
    /// <exception cref="DataFileException">A floating element is not a whole number.</exception>
    public long[] ToInt64() => Data switch
    {
        long[] l => (long[])l.Clone(),
        int[] i => Array.ConvertAll(i, v => (long)v),
        byte[] b => Array.ConvertAll(b, v => (long)v),
        bool[] b => Array.ConvertAll(b, v => v ? 1L : 0L),
        float[] f => Array.ConvertAll(f, v => WholeNumber(v)),
        double[] d => Array.ConvertAll(d, WholeNumber),
        _ => throw new InvalidOperationException($"Unexpected data type {Data.GetType().Name}."),
    };

    /// <summary>A float32 tensor on the CPU backend with this shape (elements converted).</summary>
    public Tensor ToTensor() => Tensor.FromArray(ToFloat32(), Shape);

    /// <summary>Formats as <c>float32 [2,3]</c>.</summary>
    public override string ToString() => $"{DTypeName(DType)} {FormatShape(Shape)}";

    /// <summary>The NumPy name of a type, e.g. <c>float32</c>.</summary>
    public static string DTypeName(NpyDType dtype) => dtype.ToString().ToLowerInvariant();

    /// <summary>Formats dimensions as <c>[2,3]</c>.</summary>
    public static string FormatShape(IEnumerable<int> shape) => "[" + string.Join(",", shape) + "]";

    internal static Type ElementType(NpyDType dtype) => dtype switch
    {
        NpyDType.Float32 => typeof(float),
        NpyDType.Float64 => typeof(double),
        NpyDType.Int64 => typeof(long),
        NpyDType.Int32 => typeof(int),
        NpyDType.UInt8 => typeof(byte),
        NpyDType.Bool => typeof(bool),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    private static long WholeNumber(double v)
        => Math.Floor(v) == v && Math.Abs(v) < 9.2e18
            ? (long)v
            : throw new DataFileException($"value {v.ToString(CultureInfo.InvariantCulture)} is not a whole number");
}
