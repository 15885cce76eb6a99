using System.Globalization;
using ModelAudit.Onnx.Protobuf;
using ModelAudit.Tensors;

namespace ModelAudit.Onnx;

/// <summary>
/// A tensor known when the graph is built (an initializer, a Constant, or a folded shape computation).
/// Floating types are held as float32 (the engine's type), integer and bool types as int64, so shape
/// arithmetic is exact.
/// </summary>
internal sealed class OnnxTensor
{
    private Tensor? _tensor;

    private OnnxTensor(int[] dims, OnnxDataType type, float[]? floats, long[]? longs)
    {
        Dims = dims;
        DataType = type;
        Floats = floats;
        Longs = longs;
    }

    /// <summary>The dimensions.</summary>
    public int[] Dims { get; }

    /// <summary>The declared ONNX element type.</summary>
    public OnnxDataType DataType { get; }

    /// <summary>The elements for floating types.</summary>
    public float[]? Floats { get; }

    /// <summary>The elements for integer and bool types.</summary>
    public long[]? Longs { get; }

    public bool IsFloat => Floats is not null;

    public int Length => IsFloat ? Floats!.Length : Longs!.Length;

    public int Rank => Dims.Length;

    public static OnnxTensor FromFloats(float[] data, int[] dims) => new(dims, OnnxDataType.Float, data, null);

    public static OnnxTensor FromLongs(long[] data, int[] dims, OnnxDataType type = OnnxDataType.Int64) => new(dims, type, null, data);

    /// <summary>Element <paramref name="i"/> as a double (exact for every int that appears in shape arithmetic).</summary>
    public double GetDouble(int i) => IsFloat ? Floats![i] : Longs![i];

    /// <summary>The elements as int64 (floats truncated toward zero).</summary>
    public long[] ToLongs() => Longs ?? Array.ConvertAll(Floats!, f => (long)f);

    /// <summary>The elements as float32.</summary>
    public float[] ToFloats() => Floats ?? Array.ConvertAll(Longs!, l => (float)l);

    /// <summary>An engine tensor with these elements (integers converted to float).</summary>
    /// <summary>
    /// The engine's tensor of these values, made once and shared by every graph built from the model (one per batch
    /// size): graphs neither write to nor dispose their constants, so one copy of the weights serves them all.
    /// </summary>
    public Tensor ToTensor() => _tensor ??= Tensor.FromArray(ToFloats(), Dims);

    public override string ToString()
        => $"{DataType} [{string.Join(",", Dims)}]" + (Length <= 8 ? " {" + string.Join(",", Enumerable.Range(0, Length).Select(i => GetDouble(i).ToString(CultureInfo.InvariantCulture))) + "}" : "");

    /// <summary>True for the element types the importer can fold or feed to the engine.</summary>
    public static bool IsSupportedType(OnnxDataType type) => type is OnnxDataType.Float or OnnxDataType.Double or OnnxDataType.Float16 or OnnxDataType.BFloat16
        or OnnxDataType.Int64 or OnnxDataType.Int32 or OnnxDataType.Int16 or OnnxDataType.Int8 or OnnxDataType.UInt8 or OnnxDataType.UInt16
        or OnnxDataType.UInt32 or OnnxDataType.UInt64 or OnnxDataType.Bool;

    /// <summary>True for the integer types a runtime input may have: token ids used as Gather indices.</summary>
    public static bool IsIndexType(OnnxDataType type) => type is OnnxDataType.Int64 or OnnxDataType.Int32;

    /// <summary>True for the float types.</summary>
    public static bool IsFloatType(OnnxDataType type) => type is OnnxDataType.Float or OnnxDataType.Double or OnnxDataType.Float16 or OnnxDataType.BFloat16;
}
