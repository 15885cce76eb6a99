namespace ModelAudit.Audit.Yaml;

/// <summary>A position in a YAML file, 1-based.</summary>
/// <param name="Line">Line.</param>
/// <param name="Column">Column.</param>
public readonly record struct SourceMark(int Line, int Column);

/// <summary>A node of a parsed YAML document with the mark where it starts.</summary>
internal abstract record YamlValue(SourceMark Mark)
{
    /// <summary>What the node is, for error messages.</summary>
    public abstract string Kind { get; }
}

/// <summary>A scalar; <see cref="Plain"/> is false for quoted or block scalars (so <c>"null"</c> stays a string).</summary>
internal sealed record YamlScalarValue(SourceMark Mark, string Text, bool Plain) : YamlValue(Mark)
{
    public override string Kind => "a scalar";

    /// <summary>A plain <c>~</c>, <c>null</c> or empty scalar.</summary>
    public bool IsNull => Plain && Text is "" or "~" or "null" or "Null" or "NULL";
}

/// <summary>A sequence.</summary>
internal sealed record YamlSequenceValue(SourceMark Mark, IReadOnlyList<YamlValue> Items) : YamlValue(Mark)
{
    public override string Kind => "a list";
}

/// <summary>A mapping with scalar keys, in file order (duplicates are rejected when it is read).</summary>
internal sealed record YamlMappingValue(SourceMark Mark, IReadOnlyList<KeyValuePair<YamlScalarValue, YamlValue>> Entries) : YamlValue(Mark)
{
    public override string Kind => "a mapping";
}
