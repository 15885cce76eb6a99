using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ModelAudit.Fuzz.Tests;

/// <summary>Seeded mutations of YAML specs, report.json files, .npy and .csv files.</summary>
internal static partial class Mutations
{
    /// <summary>Values that have broken parsers before: wrong types, huge and non-finite numbers, control characters, YAML tags, deep nesting.</summary>
    public static readonly string[] HostileScalars =
    [
        "", "~", "null", "-1", "0", "1", "2", "3", "1e9", "1000000000", "99999999999999999999", "-2147483649", "2147483648",
        "NaN", ".nan", ".inf", "-.inf", "1e400", "-1e400", "1e-400", "0x10", "0o7", "1_000", "'x'", "\"\"", "[1, 2]", "[]", "{}",
        "{a: 1}", "\"a\\0b\"", "\"a\\nb\"", "\"a\\rb\"", "!!binary AAAA", "!!python/object:os.system x", "&a 1", "*a", "true", "false",
        "yes", "on", "predicted", "auto", "\"\\u202e\"", "\"\\x1b[31m\"", "é", "- x", "? x", "|\n  block", ">\n  folded", "'unterminated",
        "\"unterminated", "{unclosed: 1", "[unclosed", "@reserved", "`backtick", "%TAG", "- - - - 1",
        new string('x', 100_000), new string('[', 200) + new string(']', 200), new string('{', 100) + new string('}', 100),
        "/dev/zero", "/dev/null", "/dev/stdin", "/proc/self/mem", "/nonexistent/x.npy", "..", ".", "/",
        "digits/model.onnx", "digits/input.npy", "digits/labels.npy", "digits/samples.npz", "iris/iris.csv", "iris/model.onnx",
        "FIFO", "FOLDER", "digits/input.npy.csv", "x.npz", "x.csv", "-", "-5", "0.5", "1.01", "64", "65", "4097", "10001", "65537",
    ];

    private static readonly string[] Keys =
    [
        "model", "seed", "data", "inputs", "labels", "key", "label_column", "header", "samples", "preprocessing", "scale", "mean", "std",
        "layers", "analyses", "conductance", "method", "steps", "baseline", "target", "internal_batch_size", "planes", "estimator",
        "binning", "bins", "bin_size", "range", "kde", "noise_variance", "ksg", "neighbors", "renyi", "alpha", "sigma", "reduction",
        "projection_dimensions", "bootstrap", "ite", "weights", "compression", "preservation", "usefulness", "nif", "beta", "resolution",
        "length", "max_mine_edges", "null_pairs", "gates", "metric", "direction", "min", "max", "max_regression", "absolute",
        "relative", "severity", "aggregate", "outputs", "dir", "html", "markdown", "junit", "unknown_key", "<<", "? complex",
    ];

    /// <summary>1 to 3 mutations of spec text; the result may not be valid UTF-8.</summary>
    public static byte[] Spec(string text, Random random, Func<string, string> resolve)
    {
        int count = random.Next(1, 4);
        byte[]? raw = null;
        for (int m = 0; m < count; m++)
        {
            var lines = text.Split('\n').ToList();
            int at = random.Next(lines.Count);
            switch (random.Next(14))
            {
                case 0:
                    lines.RemoveAt(at);
                    break;
                case 1:
                    lines.Insert(at, lines[at]);
                    break;
                case 2:
                case 3:
                case 4:
                {
                    // Replace the value of a key: value line (the most productive mutation).
                    var candidates = lines.Select((l, i) => (l, i)).Where(p => KeyValue().IsMatch(p.l)).ToList();
                    if (candidates.Count == 0) break;
                    var (line, index) = candidates[random.Next(candidates.Count)];
                    var match = KeyValue().Match(line);
                    lines[index] = match.Groups[1].Value + " " + resolve(HostileScalars[random.Next(HostileScalars.Length)]);
                    break;
                }
                case 5:
                {
                    var match = KeyValue().Match(lines[at]);
                    if (!match.Success) break;
                    var key = match.Groups[1].Value;
                    int colon = key.LastIndexOf(':');
                    int start = key.Length - key.TrimStart(' ', '-').Length;
                    lines[at] = key[..start] + Keys[random.Next(Keys.Length)] + key[colon..] + lines[at][match.Groups[1].Length..];
                    break;
                }
                case 6:
                    lines[at] = random.Next(2) == 0 ? new string(' ', random.Next(1, 4)) + lines[at] : lines[at].TrimStart();
                    break;
                case 7:
                    lines.Insert(at, new string(' ', 2 * random.Next(3)) + Keys[random.Next(Keys.Length)] + ": " + resolve(HostileScalars[random.Next(HostileScalars.Length)]));
                    break;
                case 8:
                    text = text[..random.Next(text.Length + 1)];
                    continue;
                case 9:
                {
                    int depth = random.Next(2) == 0 ? random.Next(60, 70) : 10_000;
                    lines.Add(random.Next(2) == 0
                        ? "deep: " + new string('[', depth) + new string(']', depth)
                        : "deep:\n" + string.Concat(Enumerable.Repeat("- ", depth)) + "1");
                    break;
                }
                case 10:
                {
                    var chars = new[] { "\t", "\0", "\u001b", "\r", "\u2028", "\uFEFF", "\\", "\"", "'", "#", ":", "&", "*", "!", "|", ">" };
                    var line = lines[at];
                    int p = random.Next(line.Length + 1);
                    lines[at] = line[..p] + chars[random.Next(chars.Length)] + line[p..];
                    break;
                }
                case 11:
                    text = text + "\n---\n" + text;
                    continue;
                case 12:
                {
                    int other = random.Next(lines.Count);
                    (lines[at], lines[other]) = (lines[other], lines[at]);
                    break;
                }
                case 13:
                {
                    // Invalid UTF-8 somewhere.
                    raw = Encoding.UTF8.GetBytes(string.Join('\n', lines));
                    if (raw.Length > 0) raw[random.Next(raw.Length)] = (byte)(0x80 + random.Next(0x80));
                    break;
                }
            }
            text = string.Join('\n', lines);
        }
        return raw ?? Encoding.UTF8.GetBytes(text);
    }

    /// <summary>A mutated report.json: a JSON tree edit or a byte-level edit.</summary>
    public static byte[] Report(string json, Random random)
    {
        if (random.Next(5) == 0)
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            switch (random.Next(5))
            {
                case 0: return bytes[..random.Next(bytes.Length)];
                case 1:
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    return bytes;
                case 2: return [.. bytes, .. Encoding.UTF8.GetBytes(new string('[', 100_000))];
                case 3: return [0xEF, 0xBB, 0xBF, .. bytes];
                default:
                    return Encoding.UTF8.GetBytes(json.Replace("\"metrics\": {", "\"metrics\": {\"accuracy\": 0.5, ", StringComparison.Ordinal));
            }
        }
        var root = JsonNode.Parse(json)!;
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        int edits = random.Next(1, 3);
        for (int e = 0; e < edits; e++)
        {
            var node = nodes[random.Next(nodes.Count)];
            var parent = node.Parent;
            if (parent is null) continue;
            var replacement = HostileJson(random);
            if (parent is JsonObject obj)
            {
                var name = node.GetPropertyName();
                switch (random.Next(3))
                {
                    case 0:
                        obj.Remove(name);
                        break;
                    case 1:
                        obj[name] = replacement;
                        break;
                    default:
                        obj.Remove(name);
                        obj[name + (random.Next(2) == 0 ? "_" : "")] = replacement;
                        break;
                }
            }
            else if (parent is JsonArray array)
            {
                int index = node.GetElementIndex();
                if (random.Next(2) == 0) array.RemoveAt(index);
                else array[index] = replacement;
            }
            nodes.Clear();
            Collect(root, nodes);
        }
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static JsonNode? HostileJson(Random random) => random.Next(16) switch
    {
        0 => null,
        1 => JsonValue.Create("NaN"),
        2 => JsonValue.Create("0.5"),
        3 => JsonValue.Create(double.MaxValue),
        4 => JsonNode.Parse("1e400"),
        5 => JsonValue.Create(-1),
        6 => JsonValue.Create(true),
        7 => new JsonArray(),
        8 => new JsonObject(),
        9 => JsonValue.Create(long.MaxValue),
        10 => JsonValue.Create(new string('x', 10_000)),
        11 => JsonValue.Create("a\nb\u0000c"),
        12 => JsonValue.Create("accuracy[x"),
        13 => JsonValue.Create(2),
        14 => JsonNode.Parse(new string('[', 60) + new string(']', 60)),
        _ => JsonValue.Create(0.5),
    };

    private static void Collect(JsonNode? node, List<JsonNode> into)
    {
        if (node is null) return;
        into.Add(node);
        if (node is JsonObject o) foreach (var (_, v) in o) Collect(v, into);
        if (node is JsonArray a) foreach (var v in a) Collect(v, into);
    }

    /// <summary>A mutated .npy: header text edits, byte flips, truncation, injected non-finite values.</summary>
    public static byte[] Npy(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        int headerLength = BitConverter.ToUInt16(bytes, 8);
        int dataStart = 10 + headerLength;
        var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        switch (random.Next(9))
        {
            case 0:
            {
                string[] shapes = ["(1000000000, 1, 8, 8)", "(64, 1, 8)", "()", "(0, 1, 8, 8)", "(-1, 1, 8, 8)", "(64, 1, 8, 8, 1)", "(9223372036854775807,)",
                    "(64,)", "(2147483647, 2147483647)", "(64, 64)", "(65, 1, 8, 8)", "(32, 1, 8, 8)", "(64, 1, 8, 8", "x"];
                return WithHeader(bytes, dataStart, ShapeText().Replace(header, "'shape': " + shapes[random.Next(shapes.Length)] + ", "));
            }
            case 1:
            {
                string[] types = ["<f8", "<i8", "<i4", "|u1", "|b1", ">f4", "|O", "<U10", "<c8", "<f2", "<i2", "", "<f4<f4"];
                return WithHeader(bytes, dataStart, header.Replace("'<f4'", "'" + types[random.Next(types.Length)] + "'", StringComparison.Ordinal));
            }
            case 2:
                return WithHeader(bytes, dataStart, header.Replace("False", random.Next(2) == 0 ? "True" : "None", StringComparison.Ordinal));
            case 3:
                bytes[random.Next(Math.Min(bytes.Length, dataStart + 4))] = (byte)random.Next(256);
                return bytes;
            case 4:
                return bytes[..random.Next(bytes.Length)];
            case 5:
            {
                float[] bad = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, float.Epsilon, -0f];
                int elements = (bytes.Length - dataStart) / 4;
                for (int k = random.Next(1, 4); k > 0; k--)
                    BitConverter.TryWriteBytes(bytes.AsSpan(dataStart + 4 * random.Next(elements), 4), bad[random.Next(bad.Length)]);
                return bytes;
            }
            case 6:
                // Header length field pointing past the end.
                BitConverter.TryWriteBytes(bytes.AsSpan(8, 2), (ushort)random.Next(65536));
                return bytes;
            case 7:
                bytes[6] = (byte)random.Next(256);
                return bytes;
            default:
                return [.. bytes, .. new byte[random.Next(1, 64)]];
        }
    }

    private static byte[] WithHeader(byte[] bytes, int dataStart, string header)
    {
        var text = header.TrimEnd(' ', '\n');
        int total = 10 + text.Length + 1;
        int padded = (total + 63) / 64 * 64;
        var newHeader = text + new string(' ', padded - total) + "\n";
        var result = new byte[10 + newHeader.Length + bytes.Length - dataStart];
        bytes.AsSpan(0, 8).CopyTo(result);
        BitConverter.TryWriteBytes(result.AsSpan(8, 2), (ushort)newHeader.Length);
        Encoding.ASCII.GetBytes(newHeader).CopyTo(result, 10);
        bytes.AsSpan(dataStart).CopyTo(result.AsSpan(10 + newHeader.Length));
        return result;
    }

    /// <summary>A mutated CSV: cells, rows, columns, header, encoding.</summary>
    public static byte[] Csv(string text, Random random)
    {
        var lines = text.TrimEnd('\n').Split('\n').ToList();
        string[] cells = ["NaN", "inf", "-inf", "", "abc", "1e400", "5", "-1", "3", "2.5", "1e39", "\"1\"", "0x1", " ", "1,2", "\"", "\0", "1e-400", "9223372036854775808"];
        switch (random.Next(8))
        {
            case 0:
            case 1:
            {
                int row = random.Next(1, lines.Count);
                var parts = lines[row].Split(',');
                parts[random.Next(parts.Length)] = cells[random.Next(cells.Length)];
                lines[row] = string.Join(',', parts);
                break;
            }
            case 2:
                lines[random.Next(1, lines.Count)] += ",1";
                break;
            case 3:
            {
                int row = random.Next(1, lines.Count);
                lines[row] = lines[row][..lines[row].LastIndexOf(',')];
                break;
            }
            case 4:
                lines.RemoveAt(0);
                break;
            case 5:
                lines[0] = lines[0].Replace("species", random.Next(2) == 0 ? "label" : "species,species", StringComparison.Ordinal);
                break;
            case 6:
                lines = lines.Take(random.Next(0, 3)).ToList();
                break;
            default:
                lines.Insert(random.Next(lines.Count), new string('1', 100_000));
                break;
        }
        return Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
    }

    [GeneratedRegex(@"^(\s*(?:-\s+)?[A-Za-z_]+:)\s*(.*)$")]
    private static partial Regex KeyValue();

    [GeneratedRegex(@"'shape':\s*\([^)]*\),\s*")]
    private static partial Regex ShapeText();
}
