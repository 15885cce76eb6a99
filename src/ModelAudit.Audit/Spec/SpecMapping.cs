using System.Globalization;
using ModelAudit.Audit.Yaml;

namespace ModelAudit.Audit.Spec;

/// <summary>
/// Strict typed access to one YAML mapping of the spec: every key must be declared by the caller
/// (<see cref="Allow"/> or a getter), and <see cref="Finish"/> rejects the rest, listing the allowed keys.
/// </summary>
internal sealed class SpecMapping
{
    private readonly Dictionary<string, KeyValuePair<YamlScalarValue, YamlValue>> _entries;
    private readonly List<string> _allowed = [];

    public SpecMapping(string file, string path, YamlValue node)
    {
        File = file;
        Path = path;
        if (node is not YamlMappingValue map) throw Error(node, $"'{path}' must be a mapping, got {node.Kind}");
        Node = map;
        _entries = map.Entries.ToDictionary(e => e.Key.Text, StringComparer.Ordinal);
    }

    public string File { get; }

    /// <summary>Dotted key path of this mapping (e.g. <c>analyses.planes</c>), for messages.</summary>
    public string Path { get; }

    public YamlMappingValue Node { get; }

    public AuditSpecException Error(YamlValue at, string message) => new(File, at.Mark, message);

    public bool Has(string key)
    {
        Allow(key);
        return _entries.ContainsKey(key);
    }

    /// <summary>Declares a key as allowed and returns its value node, or null when absent (or null-valued).</summary>
    public YamlValue? Value(string key)
    {
        Allow(key);
        if (!_entries.TryGetValue(key, out var entry)) return null;
        return entry.Value is YamlScalarValue { IsNull: true } ? null : entry.Value;
    }

    public YamlValue Required(string key)
        => Value(key) ?? throw Error(_entries.TryGetValue(key, out var e) ? e.Value : Node, $"'{Child(key)}' is required");

    public void Allow(string key)
    {
        if (!_allowed.Contains(key)) _allowed.Add(key);
    }

    public string Child(string key) => Path.Length == 0 ? key : Path + "." + key;

    public SpecMapping? Mapping(string key) => Value(key) is { } n ? new SpecMapping(File, Child(key), n) : null;

    public string? String(string key) => Value(key) is { } n ? ScalarText(n, Child(key)) : null;

    public string RequiredString(string key) => ScalarText(Required(key), Child(key));

    public int? Int(string key, int min = int.MinValue) => Int(key, new IntOption(key, 0, min, int.MaxValue));

    /// <summary>The value of an integer option in its range, or null when absent.</summary>
    public int? Int(string key, IntOption option)
    {
        if (Value(key) is not { } n) return null;
        var text = ScalarText(n, Child(key));
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
            throw Error(n, $"'{Child(key)}' must be an integer{(option.Max == int.MaxValue && option.Min != int.MinValue ? $" >= {option.Min}" : " " + option.RangeText)}, got '{Clip(text)}'");
        if (!option.Allows(v)) throw Error(n, $"'{Child(key)}' must be {option.RangeText}, got {v}");
        return (int)v;
    }

    /// <summary>The value of an integer option in its range, or its default.</summary>
    public int Int(IntOption option) => Int(option.Name, option) ?? option.Default;

    public double? Double(string key) => Value(key) is { } n ? ParseDouble(n, Child(key)) : null;

    /// <summary>The value of a real option in its range, or null when absent.</summary>
    public double? Double(string key, DoubleOption option)
    {
        if (Value(key) is not { } n) return null;
        return ParseDouble(n, Child(key), option);
    }

    public bool? Bool(string key)
    {
        if (Value(key) is not { } n) return null;
        return ScalarText(n, Child(key)) switch
        {
            "true" => true,
            "false" => false,
            var t => throw Error(n, $"'{Child(key)}' must be true or false, got '{Clip(t)}'"),
        };
    }

    /// <summary>One of <paramref name="allowed"/> (exact spelling), or null when absent.</summary>
    public string? Enum(string key, params string[] allowed)
    {
        if (Value(key) is not { } n) return null;
        return EnumValue(n, Child(key), allowed);
    }

    public string EnumValue(YamlValue n, string path, string[] allowed)
    {
        var text = ScalarText(n, path);
        if (!allowed.Contains(text, StringComparer.Ordinal))
            throw Error(n, $"'{path}' must be one of {string.Join(", ", allowed)}; got '{Clip(text)}'");
        return text;
    }

    public IReadOnlyList<YamlValue>? Sequence(string key)
    {
        if (Value(key) is not { } n) return null;
        return n is YamlSequenceValue s ? s.Items : throw Error(n, $"'{Child(key)}' must be a list, got {n.Kind}");
    }

    public double ParseDouble(YamlValue n, string path) => ParseDouble(n, path, OptionRanges.Value);

    public double ParseDouble(YamlValue n, string path, DoubleOption option)
    {
        var text = ScalarText(n, path);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw Error(n, $"'{path}' must be a number, got '{Clip(text)}'");
        if (!option.Allows(v)) throw Error(n, $"'{path}' must be {option.RangeText}, got {v.ToString("G6", CultureInfo.InvariantCulture)}");
        return v;
    }

    /// <summary>
    /// Text from the spec as errors quote it: at most <see cref="ClipLength"/> characters (then an ellipsis),
    /// control characters escaped, so a huge or multi-line scalar still gives one short line.
    /// </summary>
    public static string Clip(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new System.Text.StringBuilder(Math.Min(text.Length, ClipLength) + 8);
        foreach (var c in text.Length > ClipLength ? text[..ClipLength] : text)
        {
            if (char.IsControl(c)) builder.Append(c switch { '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ => $"\\u{(int)c:x4}" });
            else builder.Append(c);
        }
        if (text.Length > ClipLength) builder.Append($"... ({text.Length} characters)");
        return builder.ToString();
    }

    /// <summary>The most characters of a scalar that an error quotes.</summary>
    public const int ClipLength = 80;

    public string ScalarText(YamlValue n, string path)
        => n is YamlScalarValue s ? s.Text : throw Error(n, $"'{path}' must be a scalar, got {n.Kind}");

    /// <summary>Rejects any key not declared, listing the allowed ones.</summary>
    public void Finish()
    {
        foreach (var (key, entry) in _entries)
        {
            if (!_allowed.Contains(key))
                throw Error(entry.Key, $"unknown key '{Clip(key)}' in {(Path.Length == 0 ? "the spec" : "'" + Path + "'")}; allowed keys: {string.Join(", ", _allowed)}");
        }
    }
}
