using System.Text.Json;
using System.Text.Json.Serialization;
using ModelAudit.Onnx;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Audit.Streaming;

/// <summary>Where a part comes from: everything that must agree for parts to be merged.</summary>
/// <param name="ToolVersion">Tool name and version.</param>
/// <param name="SpecSha256">SHA-256 of the spec file.</param>
/// <param name="ModelSha256">SHA-256 of the model.</param>
/// <param name="DataSha256">SHA-256 of the input data.</param>
/// <param name="LabelsSha256">SHA-256 of the labels file, or null.</param>
/// <param name="Seed">The spec's seed.</param>
/// <param name="SamplesTotal">Audit samples of the whole run.</param>
/// <param name="ChunkSize">Samples per chunk.</param>
/// <param name="Shard">K of K/N.</param>
/// <param name="Shards">N of K/N.</param>
/// <param name="FirstSample">First audit sample of the part.</param>
/// <param name="Layers">Analysed layers in depth order.</param>
public sealed record PartIdentity(string ToolVersion, string SpecSha256, string ModelSha256, string DataSha256, string? LabelsSha256, int Seed,
    int SamplesTotal, int ChunkSize, int Shard, int Shards, int FirstSample, IReadOnlyList<string> Layers);

/// <summary>
/// One shard's streamed reductions and where they come from, as written by <c>run --shard K/N --out DIR</c>:
/// <c>DIR/shard.json</c> (format, identity, array list) and <c>DIR/shard.npz</c> (the arrays). docs/sharding.md
/// describes the format.
/// </summary>
public sealed class ShardPart
{
    /// <summary>Format name in shard.json.</summary>
    public const string FormatName = "model-audit-shard";

    /// <summary>Version of the part format; bumped on incompatible changes.</summary>
    public const int FormatVersion = 1;

    /// <summary>Manifest file in a part folder.</summary>
    public const string ManifestFile = "shard.json";

    /// <summary>Largest manifest read (its layer list is the only part that grows).</summary>
    private const long ManifestMaxBytes = 16L << 20;

    /// <summary>Array file in a part folder.</summary>
    public const string ArraysFile = "shard.npz";

    internal ShardPart(PartIdentity identity, SampleReductions reductions)
    {
        Identity = identity;
        Reductions = reductions;
    }

    /// <summary>Where the part comes from.</summary>
    public PartIdentity Identity { get; }

    /// <summary>Samples in the part.</summary>
    public int Samples => Reductions.Samples;

    /// <summary>The folder it was read from, or null.</summary>
    public string? Source { get; private init; }

    internal SampleReductions Reductions { get; }

    /// <summary>Writes the part into <paramref name="directory"/>; both files appear together or not at all.</summary>
    public IReadOnlyList<string> Write(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var arrays = Arrays(Reductions).ToList();
        var manifest = new ShardManifest(FormatName, FormatVersion, Identity, Samples,
            [.. Reductions.Layers.Select(l => new ShardLayer(l.Layer, l.Activations?.How, l.Conductance?.How, l.HeatmapUnits, l.HeatmapUnitSize))],
            Reductions.Input?.How, [.. arrays.Select(a => a.Key)]);
        using var npz = StagedFile.Write(Path.Combine(directory, ArraysFile), stream => NpzFile.Write(stream, arrays));
        using var json = StagedFile.Write(Path.Combine(directory, ManifestFile),
            stream => JsonSerializer.Serialize(stream, manifest, ShardJsonContext.Default.ShardManifest));
        npz.Commit();
        json.Commit();
        return [npz.Path, json.Path];
    }

    /// <summary>Reads the part in <paramref name="directory"/>.</summary>
    /// <exception cref="ModelInputException">The folder holds no valid part (the message names it).</exception>
    public static ShardPart Read(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string manifestPath = Path.Combine(directory, ManifestFile);
        string arraysPath = Path.Combine(directory, ArraysFile);
        if (!File.Exists(manifestPath) || !File.Exists(arraysPath))
            throw new ModelInputException($"{directory}: not a shard part ({ManifestFile} and {ArraysFile} expected; write one with run --shard K/N --out DIR)");
        ShardManifest manifest;
        try
        {
            // A part comes from another job's artifact: only a regular file, and a manifest is small.
            using var stream = SafeFile.OpenRegular(manifestPath, ManifestMaxBytes);
            manifest = JsonSerializer.Deserialize(stream, ShardJsonContext.Default.ShardManifest)
                ?? throw new ModelInputException($"{manifestPath}: empty manifest");
        }
        catch (JsonException e)
        {
            throw new ModelInputException($"{manifestPath}: not a valid shard manifest: {e.Message.ReplaceLineEndings(" ")}");
        }
        catch (DataFileException e)
        {
            throw new ModelInputException(e.Message);
        }
        if (manifest.Format != FormatName || manifest.FormatVersion != FormatVersion)
            throw new ModelInputException($"{manifestPath}: format {manifest.Format} version {manifest.FormatVersion}; this tool reads {FormatName} version {FormatVersion}");
        IReadOnlyDictionary<string, NpyArray> arrays;
        try
        {
            arrays = NpzFile.Read(arraysPath);
        }
        catch (DataFileException e)
        {
            throw new ModelInputException(e.Message);
        }
        int n = manifest.Samples;
        var id = manifest.Identity;
        if (n < 0 || id.Layers.Count != manifest.Layers.Count)
            throw new ModelInputException($"{manifestPath}: inconsistent sample or layer counts");

        float[]? Floats(string key, int width, bool present)
        {
            if (!present) return null;
            if (!arrays.TryGetValue(key, out var a) || a.DType != NpyDType.Float32 || a.Length != (long)n * width)
                throw new ModelInputException($"{arraysPath}: array '{key}' missing or not float32 [{n}, {width}]");
            return (float[])a.Data;
        }
        double[]? Doubles(string key, int width, bool present)
        {
            if (!present) return null;
            if (!arrays.TryGetValue(key, out var a) || a.DType != NpyDType.Float64 || a.Length != (long)n * width)
                throw new ModelInputException($"{arraysPath}: array '{key}' missing or not float64 [{n}, {width}]");
            return (double[])a.Data;
        }
        static int Width(NpyArray? a, int n) => a is null || n == 0 ? 0 : a.Length / n;

        if (!arrays.TryGetValue("predicted", out var predicted) || predicted.DType != NpyDType.Int64 || predicted.Length != n)
            throw new ModelInputException($"{arraysPath}: array 'predicted' missing or not int64 [{n}]");
        bool conductance = arrays.ContainsKey("l0.magnitude");
        var layers = new List<LayerReductions>();
        for (int l = 0; l < manifest.Layers.Count; l++)
        {
            var layer = manifest.Layers[l];
            arrays.TryGetValue($"l{l}.activations", out var act);
            arrays.TryGetValue($"l{l}.conductance", out var cond);
            int units = layer.HeatmapUnits;
            if (units < 1 || layer.HeatmapUnitSize < 1)
                throw new ModelInputException($"{manifestPath}: layer {layer.Name} has an invalid heat-map size");
            layers.Add(new LayerReductions
            {
                Layer = layer.Name,
                Activations = layer.Activations is { } ah ? new ReducedRows(ah, Width(act, n), Floats($"l{l}.activations", Width(act, n), true)!) : null,
                Conductance = layer.Conductance is { } ch ? new ReducedRows(ch, Width(cond, n), Floats($"l{l}.conductance", Width(cond, n), true)!) : null,
                ConductanceMagnitude = Doubles($"l{l}.magnitude", 1, conductance),
                ConductanceDelta = Doubles($"l{l}.delta", 1, conductance),
                HeatmapUnits = units,
                HeatmapUnitSize = layer.HeatmapUnitSize,
                ConductanceUnitSums = Doubles($"l{l}.units", units, conductance),
            });
        }
        arrays.TryGetValue("input", out var input);
        var reductions = new SampleReductions
        {
            Samples = n,
            Predicted = (long[])predicted.Data,
            Input = manifest.Input is { } ih ? new ReducedRows(ih, Width(input, n), Floats("input", Width(input, n), true)!) : null,
            Layers = layers,
        };
        return new ShardPart(id, reductions) { Source = directory };
    }

    /// <summary>
    /// Checks every part against <paramref name="expected"/> (tool, spec, model, data, labels, seed, sample count,
    /// chunk size, layers, shard count) and that the parts cover every sample exactly once; joins them in sample order.
    /// </summary>
    internal static SampleReductions Join(IReadOnlyList<ShardPart> parts, PartIdentity expected)
    {
        if (parts.Count == 0) throw new ModelInputException("merge: no parts given");
        foreach (var part in parts)
        {
            var id = part.Identity;
            string name = part.Source ?? $"part {id.Shard}/{id.Shards}";
            void Check(bool same, string what, object? theirs, object? ours)
            {
                if (!same) throw new ModelInputException($"{name}: {what} differs from this run's ({theirs} vs {ours}); merge parts of one spec, model, data and tool version");
            }
            Check(id.ToolVersion == expected.ToolVersion, "tool version", id.ToolVersion, expected.ToolVersion);
            Check(id.SpecSha256 == expected.SpecSha256, "spec (SHA-256)", id.SpecSha256, expected.SpecSha256);
            Check(id.ModelSha256 == expected.ModelSha256, "model (SHA-256)", id.ModelSha256, expected.ModelSha256);
            Check(id.DataSha256 == expected.DataSha256, "data (SHA-256)", id.DataSha256, expected.DataSha256);
            Check(id.LabelsSha256 == expected.LabelsSha256, "labels (SHA-256)", id.LabelsSha256, expected.LabelsSha256);
            Check(id.Seed == expected.Seed, "seed", id.Seed, expected.Seed);
            Check(id.SamplesTotal == expected.SamplesTotal, "sample count", id.SamplesTotal, expected.SamplesTotal);
            Check(id.ChunkSize == expected.ChunkSize, "chunk size", id.ChunkSize, expected.ChunkSize);
            Check(id.Layers.SequenceEqual(expected.Layers), "layer list", string.Join(",", id.Layers), string.Join(",", expected.Layers));
            Check(id.Shards == parts[0].Identity.Shards, "shard count", id.Shards, parts[0].Identity.Shards);
            var (first, count) = new ShardSelector(id.Shard, id.Shards).Range(id.SamplesTotal, id.ChunkSize);
            Check(first == id.FirstSample && count == part.Samples, "sample range", $"{id.FirstSample}+{part.Samples}", $"{first}+{count}");
        }
        int shards = parts[0].Identity.Shards;
        var byShard = new ShardPart?[shards + 1];
        foreach (var part in parts)
        {
            if (byShard[part.Identity.Shard] is { } other)
                throw new ModelInputException($"{part.Source ?? "a part"}: shard {part.Identity.Shard}/{shards} is given twice (also {other.Source})");
            byShard[part.Identity.Shard] = part;
        }
        var missing = Enumerable.Range(1, shards).Where(k => byShard[k] is null).ToList();
        if (missing.Count > 0)
            throw new ModelInputException($"merge: shard{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(k => $"{k}/{shards}"))} missing; every shard must be given once");
        return SampleReductions.Concatenate([.. byShard.Skip(1).Select(p => p!.Reductions)]);
    }

    private static IEnumerable<KeyValuePair<string, NpyArray>> Arrays(SampleReductions r)
    {
        int n = r.Samples;
        yield return new("predicted", NpyArray.FromInt64(r.Predicted, n));
        if (r.Input is { } input) yield return new("input", NpyArray.FromFloat32(input.Values, n, input.Width));
        for (int l = 0; l < r.Layers.Count; l++)
        {
            var layer = r.Layers[l];
            if (layer.Activations is { } a) yield return new($"l{l}.activations", NpyArray.FromFloat32(a.Values, n, a.Width));
            if (layer.Conductance is { } c) yield return new($"l{l}.conductance", NpyArray.FromFloat32(c.Values, n, c.Width));
            if (layer.ConductanceMagnitude is { } m) yield return new($"l{l}.magnitude", new NpyArray(NpyDType.Float64, [n], m));
            if (layer.ConductanceDelta is { } d) yield return new($"l{l}.delta", new NpyArray(NpyDType.Float64, [n], d));
            if (layer.ConductanceUnitSums is { } u) yield return new($"l{l}.units", new NpyArray(NpyDType.Float64, [n, layer.HeatmapUnits], u));
        }
    }
}

/// <summary>One layer in shard.json.</summary>
internal sealed record ShardLayer(string Name, string? Activations, string? Conductance, int HeatmapUnits, int HeatmapUnitSize);

/// <summary>shard.json.</summary>
internal sealed record ShardManifest(string Format, int FormatVersion, PartIdentity Identity, int Samples, IReadOnlyList<ShardLayer> Layers,
    string? Input, IReadOnlyList<string> Arrays);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(ShardManifest))]
internal sealed partial class ShardJsonContext : JsonSerializerContext;
