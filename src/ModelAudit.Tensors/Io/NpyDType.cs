namespace ModelAudit.Tensors.Io;

/// <summary>The NumPy element types the data files support (little endian).</summary>
public enum NpyDType
{
    /// <summary><c>&lt;f4</c>, held as <see cref="float"/>[].</summary>
    Float32,
    /// <summary><c>&lt;f8</c>, held as <see cref="double"/>[].</summary>
    Float64,
    /// <summary><c>&lt;i8</c>, held as <see cref="long"/>[].</summary>
    Int64,
    /// <summary><c>&lt;i4</c>, held as <see cref="int"/>[].</summary>
    Int32,
    /// <summary><c>|u1</c>, held as <see cref="byte"/>[].</summary>
    UInt8,
    /// <summary><c>|b1</c>, held as <see cref="bool"/>[].</summary>
    Bool,
}
