namespace ModelAudit.Onnx.Protobuf;

// Typed views over the generated messages: ONNX declares element types as int32 (so unknown values survive), and
// the importer reads them as OnnxDataType.

/// <summary>ONNX <c>TensorProto</c> (generated); the element type as <see cref="OnnxDataType"/>.</summary>
internal sealed partial class TensorProto
{
    /// <summary><c>data_type</c> as <see cref="OnnxDataType"/>.</summary>
    public OnnxDataType ElementType
    {
        get => (OnnxDataType)DataType;
        set => DataType = (int)value;
    }

    /// <summary>True when <c>data_location</c> is EXTERNAL: the values are in a file named by <see cref="ExternalData"/>.</summary>
    public bool IsExternal => DataLocation == Types.DataLocation.External;

    /// <summary>The value of the last <c>external_data</c> entry with that key (as ONNX's own loader does), or null.</summary>
    public string? ExternalValue(string key)
    {
        string? value = null;
        foreach (var entry in ExternalData)
            if (entry.Key == key) value = entry.Value;
        return value;
    }
}

/// <summary>ONNX <c>ValueInfoProto</c> (generated); the tensor type's element type and dimensions.</summary>
internal sealed partial class ValueInfoProto
{
    /// <summary>The tensor type's <c>elem_type</c> (Undefined when the value has no tensor type).</summary>
    public OnnxDataType ElementType => (OnnxDataType)(Type?.TensorType?.ElemType ?? 0);

    /// <summary>The declared dimensions, or null when the type carries no shape (rank unknown).</summary>
    public IReadOnlyList<TensorShapeProto.Types.Dimension>? Dimensions => Type?.TensorType?.Shape?.Dim;
}

/// <summary>ONNX <c>TensorShapeProto</c> (generated).</summary>
internal sealed partial class TensorShapeProto
{
    /// <summary>Nested messages (generated).</summary>
    public static partial class Types
    {
        /// <summary>One declared dimension (generated): a number, a symbolic name, or unknown.</summary>
        internal sealed partial class Dimension
        {
            /// <summary><c>dim_value</c> when set, otherwise null.</summary>
            public long? Value => ValueCase == ValueOneofCase.DimValue ? DimValue : null;

            /// <summary><c>dim_param</c> when set, otherwise null.</summary>
            public string? Param => ValueCase == ValueOneofCase.DimParam ? DimParam : null;
        }
    }
}
