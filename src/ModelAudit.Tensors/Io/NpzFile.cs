using System.IO.Compression;

namespace ModelAudit.Tensors.Io;

/// <summary>Reads and writes NumPy <c>.npz</c> archives (a zip of <c>.npy</c> members, stored or deflated).</summary>
public static class NpzFile
{
    /// <summary>Reads every member; keys are member names without the <c>.npy</c> suffix, in archive order.</summary>
    /// <exception cref="DataFileException">The file is missing, not a zip, or a member is not a supported array.</exception>
    public static IReadOnlyDictionary<string, NpyArray> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var file = SafeFile.OpenRegular(path, long.MaxValue);
            using var zip = new ZipArchive(file, ZipArchiveMode.Read);
            var result = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/')) continue;
                string key = entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName[..^4] : entry.FullName;
                if (result.ContainsKey(key)) throw new DataFileException($"{path}: member '{entry.FullName}' appears twice");
                using var member = entry.Open();
                // Zip member streams are not seekable; the entry's declared size bounds what the .npy reader accepts.
                result[key] = NpyFile.Read(member, $"{path}:{entry.FullName}", entry.Length);
            }
            return result;
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException and not FileNotFoundException)
        {
            throw new DataFileException($"{path}: not a valid .npz (zip) archive: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    /// <summary>Writes <paramref name="arrays"/> as members <c>key.npy</c>, deflated when <paramref name="compress"/> (as <c>numpy.savez_compressed</c>).</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, NpyArray>> arrays, bool compress = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(arrays);
        using var stream = File.Create(path);
        Write(stream, arrays, compress);
    }

    /// <summary>Writes <paramref name="arrays"/> as an archive to <paramref name="stream"/> (left open).</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, NpyArray>> arrays, bool compress = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(arrays);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (name, array) in arrays)
        {
            var entry = zip.CreateEntry(name + ".npy", compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
            using var member = entry.Open();
            NpyFile.Write(member, array);
        }
    }
}
