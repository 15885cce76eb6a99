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

    public int? Int(string key, int min = int.MinValue)
    {
        if (Value(key) is not { } n) return null;
        var text = ScalarText(n, Child(key));
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v))
            throw Error(n, $"'{Child(key)}' must be an integer, got '{text}'");
        if (v < min) throw Error(n, $"'{Child(key)}' must be at least {min}, got {v}");
        return v;
    }

    public double? Double(string key) => Value(key) is { } n ? ParseDouble(n, Child(key)) : null;

    public bool? Bool(string key)
    {
        if (Value(key) is not { } n) return null;
        return ScalarText(n, Child(key)) switch
        {
            "true" => true,
            "false" => false,
            var t => throw Error(n, $"'{Child(key)}' must be true or false, got '{t}'"),
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
            throw Error(n, $"'{path}' must be one of {string.Join(", ", allowed)}; got '{text}'");
        return text;
    }

    public IReadOnlyList<YamlValue>? Sequence(string key)
    {
        if (Value(key) is not { } n) return null;
        return n is YamlSequenceValue s ? s.Items : throw Error(n, $"'{Child(key)}' must be a list, got {n.Kind}");
    }

    public double ParseDouble(YamlValue n, string path)
    {
        var text = ScalarText(n, path);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw Error(n, $"'{path}' must be a number, got '{text}'");
        return v;
    }

    public string ScalarText(YamlValue n, string path)
        => n is YamlScalarValue s ? s.Text : throw Error(n, $"'{path}' must be a scalar, got {n.Kind}");

    /// <summary>Rejects any key not declared, listing the allowed ones.</summary>
    public void Finish()
    {
        foreach (var (key, entry) in _entries)
        {
            if (!_allowed.Contains(key))
                throw Error(entry.Key, $"unknown key '{key}' in {(Path.Length == 0 ? "the spec" : "'" + Path + "'")}; allowed keys: {string.Join(", ", _allowed)}");
        }
    }
}
