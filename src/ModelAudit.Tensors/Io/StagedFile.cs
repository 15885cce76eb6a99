namespace ModelAudit.Tensors.Io;

/// <summary>
/// A file written under a temporary name in its target folder and renamed into place by
/// <see cref="Commit"/>, so readers never see a partial file. Disposing without committing deletes it.
/// </summary>
public sealed class StagedFile : IDisposable
{
    private readonly string _tempPath;
    private bool _done;

    private StagedFile(string path, string tempPath)
    {
        Path = path;
        _tempPath = tempPath;
    }

    /// <summary>The final path.</summary>
    public string Path { get; }

    /// <summary>Writes the content to a temporary sibling of <paramref name="path"/>.</summary>
    public static StagedFile Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = System.IO.Path.GetFullPath(path);
        var dir = System.IO.Path.GetDirectoryName(full) ?? ".";
        // Create the destination's folder, as users of --json out/x.json expect; the file itself only appears on Commit.
        Directory.CreateDirectory(dir);
        var temp = System.IO.Path.Combine(dir, $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var staged = new StagedFile(full, temp);
        try
        {
            using var stream = File.Create(temp);
            write(stream);
        }
        catch
        {
            staged.Dispose();
            throw;
        }
        return staged;
    }

    /// <summary>Renames the temporary file to <see cref="Path"/>, replacing an existing file.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        File.Move(_tempPath, Path, overwrite: true);
        _done = true;
    }

    /// <summary>Deletes the temporary file unless committed.</summary>
    public void Dispose()
    {
        if (_done) return;
        _done = true;
        if (File.Exists(_tempPath)) File.Delete(_tempPath);
    }
}
