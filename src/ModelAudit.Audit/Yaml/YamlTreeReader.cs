using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using ModelAudit.Audit.Spec;

namespace ModelAudit.Audit.Yaml;

/// <summary>
/// Reads one YAML document from YamlDotNet's parser events into <see cref="YamlValue"/> nodes that keep
/// their marks, so every later error can name a line and column. Rejects duplicate keys, non-scalar keys
/// and anchors/aliases (a spec is small; aliases would make error positions ambiguous), and nesting deeper
/// than <see cref="MaxDepth"/> (checked as the events arrive, so a hostile file cannot exhaust the stack).
/// </summary>
internal static class YamlTreeReader
{
    /// <summary>The deepest nesting of mappings and lists accepted; a real spec uses five.</summary>
    public const int MaxDepth = 64;

    public static YamlValue? Read(string text, string file)
    {
        var parser = new Parser(new StringReader(text));
        try
        {
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _)) return null;
            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, file, 1);
            parser.Consume<DocumentEnd>();
            if (!parser.TryConsume<StreamEnd>(out _))
                throw new AuditSpecException(file, Mark(parser.Current!.Start), "the spec must be a single YAML document");
            return root;
        }
        catch (YamlException e) when (e is not AnchorNotFoundException)
        {
            throw new AuditSpecException(file, new SourceMark((int)e.Start.Line, (int)e.Start.Column), "invalid YAML: " + StripPosition(e.Message));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // YamlDotNet's scanner can fail without a YamlException on broken input (e.g. "key: [unclosed" before a
            // block mapping); the last event it produced is the best position there is.
            var at = parser.Current is { } current ? Mark(current.End) : new SourceMark(1, 1);
            throw new AuditSpecException(file, at, "invalid YAML near here (the parser stopped: " + e.Message + ")");
        }
    }

    private static YamlValue ReadNode(IParser parser, string file, int depth)
    {
        var current = parser.Current ?? throw new AuditSpecException(file, new SourceMark(1, 1), "unexpected end of the YAML document");
        if (current is AnchorAlias alias) throw new AuditSpecException(file, Mark(alias.Start), "YAML aliases (*name) are not supported in a spec");
        if (current is NodeEvent { Anchor.IsEmpty: false } anchored)
            throw new AuditSpecException(file, Mark(anchored.Start), "YAML anchors (&name) are not supported in a spec");
        if (current is SequenceStart or MappingStart && depth > MaxDepth)
            throw new AuditSpecException(file, Mark(current.Start), $"the YAML nests deeper than {MaxDepth} levels");
        switch (current)
        {
            case Scalar scalar:
                parser.MoveNext();
                return new YamlScalarValue(Mark(scalar.Start), scalar.Value, scalar.Style == ScalarStyle.Plain);
            case SequenceStart start:
            {
                parser.MoveNext();
                var items = new List<YamlValue>();
                while (!parser.TryConsume<SequenceEnd>(out _)) items.Add(ReadNode(parser, file, depth + 1));
                return new YamlSequenceValue(Mark(start.Start), items);
            }
            case MappingStart start:
            {
                parser.MoveNext();
                var entries = new List<KeyValuePair<YamlScalarValue, YamlValue>>();
                var seen = new Dictionary<string, SourceMark>(StringComparer.Ordinal);
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    if (parser.Current is not Scalar)
                        throw new AuditSpecException(file, Mark(parser.Current!.Start), "mapping keys must be plain scalars");
                    var key = (YamlScalarValue)ReadNode(parser, file, depth + 1);
                    if (seen.TryGetValue(key.Text, out var first))
                        throw new AuditSpecException(file, key.Mark, $"duplicate key '{SpecMapping.Clip(key.Text)}' (first at line {first.Line})");
                    seen[key.Text] = key.Mark;
                    entries.Add(KeyValuePair.Create(key, ReadNode(parser, file, depth + 1)));
                }
                return new YamlMappingValue(Mark(start.Start), entries);
            }
            default:
                throw new AuditSpecException(file, Mark(current.Start), $"unexpected YAML event {current.GetType().Name}");
        }
    }

    private static SourceMark Mark(Mark mark) => new((int)mark.Line, (int)mark.Column);

    /// <summary>YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: ..) - (...): "; the position is reported separately.</summary>
    private static string StripPosition(string message)
    {
        int i = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line", StringComparison.Ordinal) && i >= 0 ? message[(i + 3)..] : message;
    }
}
