using ModelAudit.Onnx.Protobuf;

namespace ModelAudit.Onnx;

/// <summary>A declared graph input or output: name, element type and dimensions (fixed or symbolic).</summary>
public sealed class OnnxTensorInfo
{
    internal OnnxTensorInfo(string name, OnnxDataType elementType, IReadOnlyList<long?>? dims, IReadOnlyList<string?>? dimNames)
    {
        Name = name;
        ElementType = elementType;
        Dims = dims;
        DimNames = dimNames;
    }

    /// <summary>The ONNX tensor name.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public OnnxDataType ElementType { get; }

    /// <summary>Dimensions: a number where fixed, null where symbolic or unknown; null when the model declares no shape.</summary>
    public IReadOnlyList<long?>? Dims { get; }

    /// <summary>Symbolic dimension names (e.g. <c>batch</c>) where given, parallel to <see cref="Dims"/>.</summary>
    public IReadOnlyList<string?>? DimNames { get; }

    /// <summary>Formats the shape as <c>[N,1,8,8]</c>, with symbolic names (or <c>?</c>) for free dimensions.</summary>
    public string FormatShape()
    {
        if (Dims is null) return "[?]";
        var parts = new string[Dims.Count];
        for (int i = 0; i < parts.Length; i++)
            parts[i] = Dims[i]?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? (i == 0 ? "N" : DimNames?[i] ?? "?");
        return "[" + string.Join(",", parts) + "]";
    }

    /// <summary>The element type as a lower-case NumPy-style name, e.g. <c>float32</c>.</summary>
    public string ElementTypeName => ElementType switch
    {
        OnnxDataType.Float => "float32",
        OnnxDataType.Double => "float64",
        OnnxDataType.Float16 => "float16",
        _ => ElementType.ToString().ToLowerInvariant(),
    };

    /// <summary>Concrete dimensions for a batch size: dimension 0 becomes <paramref name="batchSize"/>.</summary>
    /// <exception cref="OnnxModelException">Another dimension is free, so a batch size alone does not fix the shape.</exception>
    public int[] ShapeForBatch(int batchSize, string modelPath)
    {
        if (Dims is null) throw new OnnxModelException($"{modelPath}: input '{Name}' declares no shape; give its full shape with --shape {Name}=AxBx...");
        var dims = new int[Dims.Count];
        for (int i = 0; i < dims.Length; i++)
        {
            // Dimension 0 is the batch whatever the exporter declared: static-batch exports run at any batch size.
            if (i == 0) dims[i] = batchSize;
            else if (Dims[i] is long d) dims[i] = (int)d;
            else throw new OnnxModelException($"{modelPath}: input '{Name}' {FormatShape()} has a free dimension {i}; give its full shape, e.g. --shape {Name}={ShapeExample(batchSize)} with numbers for the free dimensions");
        }
        return dims;
    }

    /// <summary>The declared shape as a <c>--shape</c> value: the batch, fixed dimensions as numbers, free ones by name (or <c>D</c>).</summary>
    private string ShapeExample(int batchSize)
        => string.Join("x", Dims!.Select((d, i) => i == 0 ? batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "D"));

    /// <summary>Checks concrete dimensions against the declared ones.</summary>
    /// <exception cref="OnnxModelException">Rank or a fixed dimension differs; the message names the input.</exception>
    internal void CheckShape(int[] dims, string modelPath)
    {
        if (Dims is null) return;
        bool ok = dims.Length == Dims.Count;
        for (int i = 1; ok && i < dims.Length; i++) ok = Dims[i] is not long d || d == dims[i];
        if (!ok)
            throw new OnnxModelException($"{modelPath}: expected input of rank {Dims.Count} for '{Name}' {FormatShape()}, got [{string.Join(",", dims)}]");
    }

    internal static OnnxTensorInfo From(ValueInfoProto proto)
        => new(proto.Name, proto.ElementType, proto.Dimensions?.Select(d => d.Value).ToArray(), proto.Dimensions?.Select(d => d.Param).ToArray());
}
