using System.Text;
using System.Text.Json;

namespace ModelAudit.Tensors.Io;

/// <summary>
/// A folder of named arrays: one <c>.npy</c> per layer and <c>index.json</c> mapping each layer name to its
/// file name (relative). It is built in a temporary sibling folder and renamed into place by
/// <see cref="Commit"/>; disposing without committing removes it, so a failed run leaves nothing.
/// </summary>
public sealed class LayerDump : IDisposable
{
    /// <summary>The index file's name.</summary>
    public const string IndexFileName = "index.json";

    /// <summary>The summary file that attribution dumps add beside the index.</summary>
    public const string SummaryFileName = "summary.json";

    private readonly string _tempDir;
    private bool _done;

    private LayerDump(string dir, string tempDir, IReadOnlyList<KeyValuePair<string, string>> files)
    {
        Directory = dir;
        _tempDir = tempDir;
        Files = files;
    }

    /// <summary>The final folder.</summary>
    public string Directory { get; }

    /// <summary>Layer name to file name, in the order written.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Files { get; }

    /// <summary>Writes every array into a temporary sibling of <paramref name="dir"/>; call <see cref="Commit"/> to publish it.</summary>
    /// <exception cref="OperationCanceledException">Cancelled; the temporary folder is removed.</exception>
    public static LayerDump Stage(string dir, IEnumerable<KeyValuePair<string, NpyArray>> layers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dir);
        ArgumentNullException.ThrowIfNull(layers);
        var full = Path.GetFullPath(dir.TrimEnd('/', '\\'));
        var parent = Path.GetDirectoryName(full) ?? ".";
        System.IO.Directory.CreateDirectory(parent);
        if (File.Exists(full)) throw new DataFileException($"{dir}: is a file, not a folder");
        if (System.IO.Directory.Exists(full) && !IsReplaceable(full))
            throw new DataFileException($"{dir}: folder exists and is not an earlier dump (only .npy files, {IndexFileName} and {SummaryFileName}); choose a new folder");
        var temp = Path.Combine(parent, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        System.IO.Directory.CreateDirectory(temp);
        try
        {
            var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { IndexFileName };
            var files = new List<KeyValuePair<string, string>>();
            foreach (var (name, array) in layers)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (files.Any(f => f.Key == name)) continue;
                var file = UniqueFileName(name, used);
                NpyFile.Write(Path.Combine(temp, file), array);
                files.Add(new(name, file));
            }
            WriteIndex(Path.Combine(temp, IndexFileName), files);
            return new LayerDump(full, temp, files);
        }
        catch
        {
            System.IO.Directory.Delete(temp, recursive: true);
            throw;
        }
    }

    /// <summary>Adds a text file beside the arrays (e.g. a summary) before <see cref="Commit"/>; the name must not be taken.</summary>
    public void AddTextFile(string fileName, string content)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        if (fileName == IndexFileName || Files.Any(f => string.Equals(f.Value, fileName, StringComparison.OrdinalIgnoreCase)))
            throw new ArgumentException($"'{fileName}' is already part of the dump.", nameof(fileName));
        File.WriteAllText(Path.Combine(_tempDir, fileName), content);
    }

    /// <summary>Moves the folder into place, replacing an earlier dump (or empty folder) of that name.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        string? previous = null;
        if (System.IO.Directory.Exists(Directory))
        {
            previous = Path.Combine(Path.GetDirectoryName(Directory)!, $".{Path.GetFileName(Directory)}.{Guid.NewGuid():N}.old");
            System.IO.Directory.Move(Directory, previous);
        }
        System.IO.Directory.Move(_tempDir, Directory);
        _done = true;
        if (previous is not null) System.IO.Directory.Delete(previous, recursive: true);
    }

    /// <summary>Removes the temporary folder unless committed.</summary>
    public void Dispose()
    {
        if (_done) return;
        _done = true;
        if (System.IO.Directory.Exists(_tempDir)) System.IO.Directory.Delete(_tempDir, recursive: true);
    }

    // Replacing a folder deletes it, so only an empty folder or an earlier dump (no subfolders, only .npy, the index and the summary) qualifies.
    private static bool IsReplaceable(string dir)
        => !System.IO.Directory.EnumerateDirectories(dir).Any()
           && System.IO.Directory.EnumerateFiles(dir).All(f => Path.GetFileName(f) is IndexFileName or SummaryFileName || f.EndsWith(".npy", StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads <c>index.json</c> of a dump folder: layer name to file name.</summary>
    public static IReadOnlyDictionary<string, string> ReadIndex(string dir)
    {
        var path = Path.Combine(dir, IndexFileName);
        if (!File.Exists(path)) throw new DataFileException($"{path}: file not found");
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path))
                ?? throw new DataFileException($"{path}: empty index");
        }
        catch (JsonException e)
        {
            throw new DataFileException($"{path}: invalid JSON: {e.Message}", e);
        }
    }

    /// <summary>A safe, unique file name for a tensor name: characters other than letters, digits, '.', '-' and '_' become '_'.</summary>
    internal static string UniqueFileName(string name, HashSet<string> used)
    {
        var sb = new StringBuilder();
        foreach (var c in name) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        var stem = sb.ToString().Trim('.', '_');
        if (stem.Length == 0) stem = "tensor";
        if (stem.Length > 100) stem = stem[..100];
        var file = stem + ".npy";
        for (int k = 2; !used.Add(file); k++) file = $"{stem}_{k}.npy";
        return file;
    }

    private static void WriteIndex(string path, List<KeyValuePair<string, string>> files)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        foreach (var (name, file) in files) writer.WriteString(name, file);
        writer.WriteEndObject();
    }
}
