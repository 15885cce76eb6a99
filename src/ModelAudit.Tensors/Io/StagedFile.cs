using System.Collections.Concurrent;

namespace ModelAudit.Tensors.Io;

/// <summary>
/// A file written under a temporary name in its target folder and renamed into place by
/// <see cref="Commit"/>, so readers never see a partial file. Disposing without committing deletes it, and
/// so does a failed write (disk full, permission denied): no temporary file outlives a failure.
/// </summary>
public sealed class StagedFile : IDisposable
{
    /// <summary>Temporary files not yet committed or deleted, for <see cref="DeletePending"/>.</summary>
    private static readonly ConcurrentDictionary<string, byte> Pending = new(StringComparer.Ordinal);

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
    /// <exception cref="IOException">The path is a folder or not a regular file, or writing failed; the message names the path.</exception>
    public static StagedFile Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        CheckTarget(path);
        var full = System.IO.Path.GetFullPath(path);
        var dir = System.IO.Path.GetDirectoryName(full) ?? ".";
        // Create the destination's folder, as users of --json out/x.json expect; the file itself only appears on Commit.
        Directory.CreateDirectory(dir);
        var temp = System.IO.Path.Combine(dir, $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var staged = new StagedFile(full, temp);
        Pending[temp] = 0;
        try
        {
            using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            write(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Disk full, permission denied, ...: name the destination, not the temporary file.
            staged.Dispose();
            throw new IOException($"{path}: cannot write: {e.Message.Replace(temp, path, StringComparison.Ordinal)}", e);
        }
        catch
        {
            staged.Dispose();
            throw;
        }
        return staged;
    }

    /// <summary>Throws unless <paramref name="path"/> is absent or a regular file that may be replaced.</summary>
    /// <exception cref="IOException">It is a folder, a FIFO, a device or a socket.</exception>
    public static void CheckTarget(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Contains('\0', StringComparison.Ordinal)) throw new IOException($"{path.Replace('\0', '?')}: the path contains a NUL character");
        if (path.Length == 0) throw new IOException("the output path is empty");
        if (Directory.Exists(path)) throw new IOException($"{path}: is a directory; give a file path");
        if (File.Exists(path) && RegularFile.Problem(path) is { } problem) throw new IOException($"{path}: {problem}; it cannot be replaced");
    }

    /// <summary>Renames the temporary file to <see cref="Path"/>, replacing an existing file.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        CheckTarget(Path);
        File.Move(_tempPath, Path, overwrite: true);
        _done = true;
        Pending.TryRemove(_tempPath, out _);
    }

    /// <summary>
    /// Commits every file or none: checks every target first, moves each existing target aside, renames each
    /// temporary file into place, and when a rename fails puts every earlier target back as it was before
    /// rethrowing. The moved-aside files are deleted only once all renames have succeeded.
    /// </summary>
    /// <exception cref="IOException">A target is a folder or not a regular file, or a rename failed (the previous files are restored).</exception>
    public static void CommitAll(IReadOnlyList<StagedFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        foreach (var f in files)
        {
            ObjectDisposedException.ThrowIf(f._done, f);
            CheckTarget(f.Path);
        }
        var backups = new List<(StagedFile File, string? Backup)>();
        try
        {
            foreach (var f in files)
            {
                string? backup = null;
                if (File.Exists(f.Path))
                {
                    backup = f._tempPath[..^".tmp".Length] + ".bak";
                    Pending[backup] = 0;
                    File.Move(f.Path, backup);
                }
                backups.Add((f, backup));
                File.Move(f._tempPath, f.Path);
                f._done = true;
                Pending.TryRemove(f._tempPath, out _);
            }
        }
        catch
        {
            for (int i = backups.Count - 1; i >= 0; i--)
            {
                var (f, backup) = backups[i];
                try
                {
                    if (f._done && File.Exists(f.Path)) File.Delete(f.Path);
                    if (backup is not null && File.Exists(backup)) File.Move(backup, f.Path, overwrite: true);
                    if (backup is not null) Pending.TryRemove(backup, out _);
                }
                catch (IOException)
                {
                    // Best effort: the backup stays next to the target, where the user can find it.
                }
            }
            throw;
        }
        foreach (var (_, backup) in backups)
        {
            if (backup is null) continue;
            try
            {
                File.Delete(backup);
            }
            catch (IOException)
            {
                // The reports are in place; a leftover backup is harmless.
            }
            Pending.TryRemove(backup, out _);
        }
    }

    /// <summary>Deletes the temporary file unless committed.</summary>
    public void Dispose()
    {
        if (_done) return;
        _done = true;
        Pending.TryRemove(_tempPath, out _);
        if (File.Exists(_tempPath)) File.Delete(_tempPath);
    }

    /// <summary>
    /// Deletes every temporary file of this process not yet committed, for a forced exit (a second Ctrl+C) that
    /// skips the usual disposal. Never throws.
    /// </summary>
    public static void DeletePending()
    {
        foreach (var temp in Pending.Keys)
        {
            try
            {
                if (temp.EndsWith(".tmp", StringComparison.Ordinal) && File.Exists(temp)) File.Delete(temp);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Exiting anyway.
            }
            Pending.TryRemove(temp, out _);
        }
    }
}
