using System.Runtime.InteropServices;

namespace ModelAudit.Tensors.Io;

/// <summary>
/// Regular-file checks for callers that report their own error type (spec, baseline), on top of
/// <see cref="SafeFile"/> (which decides what is a regular file and bounds reads), and file identity: whether two
/// paths are the same file (device and inode via <c>statx</c> on Linux, which also catches hard links; elsewhere
/// the fully resolved path).
/// </summary>
public static class RegularFile
{
    /// <summary>
    /// Why <paramref name="path"/> cannot be read as a regular file (<c>file not found</c>,
    /// <c>is a directory, not a regular file</c>, ...), or null when it can. Symbolic links are followed.
    /// </summary>
    public static string? Problem(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0) return "the path is empty";
        if (path.Contains('\0', StringComparison.Ordinal)) return "the path contains a NUL character";
        try
        {
            SafeFile.EnsureRegular(path);
            return null;
        }
        catch (DataFileException e)
        {
            return WithoutPath(e.Message, path);
        }
    }

    /// <summary>Reads a regular file whole (<see cref="SafeFile.ReadAllBytes"/>), refusing anything that is not one and anything over <paramref name="maxBytes"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The most bytes accepted.</param>
    /// <param name="fail">Makes the exception to throw from a message that does not yet name the file.</param>
    /// <returns>The bytes.</returns>
    public static byte[] ReadAllBytes(string path, long maxBytes, Func<string, Exception> fail)
    {
        ArgumentNullException.ThrowIfNull(fail);
        if (Problem(path) is { } problem) throw fail(problem);
        try
        {
            return SafeFile.ReadAllBytes(path, maxBytes);
        }
        catch (DataFileException e)
        {
            throw fail(WithoutPath(e.Message, path));
        }
    }

    private static string WithoutPath(string message, string path)
        => message.StartsWith(path + ": ", StringComparison.Ordinal) ? message[(path.Length + 2)..] : message;

    /// <summary>
    /// Whether both paths name the same existing file: the same device and inode where the system says
    /// (which also catches hard links), else the same fully resolved path. False when either does not exist.
    /// </summary>
    public static bool SameFile(string first, string second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (Stat(first, followLinks: true) is { } a && Stat(second, followLinks: true) is { } b)
            return a.Device == b.Device && a.Inode == b.Inode;
        if (!File.Exists(first) || !File.Exists(second)) return false;
        return string.Equals(ResolvePath(first), ResolvePath(second), OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
            ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    /// <summary>The absolute path with every symbolic link along it resolved (at most 40 links, as the kernel allows).</summary>
    public static string ResolvePath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? "/";
        var pending = new Stack<string>(full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse());
        var current = root;
        int links = 0;
        while (pending.Count > 0)
        {
            var next = Path.Combine(current, pending.Pop());
            string? target = null;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (IOException)
            {
                // Unreadable: keep the name as it is.
            }
            if (target is null || ++links > 40)
            {
                current = next;
                continue;
            }
            var resolved = Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(current, target));
            var resolvedRoot = Path.GetPathRoot(resolved) ?? root;
            foreach (var part in resolved[resolvedRoot.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse())
                pending.Push(part);
            current = resolvedRoot;
        }
        return current;
    }

    private readonly record struct Status(ulong Device, ulong Inode);

    private static readonly unsafe delegate* unmanaged<int, byte*, int, uint, byte*, int> StatX = FindStatX();

    private static unsafe delegate* unmanaged<int, byte*, int, uint, byte*, int> FindStatX()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            return NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "statx", out var address)
                ? (delegate* unmanaged<int, byte*, int, uint, byte*, int>)address
                : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>statx(2): device and inode; null when unavailable or the path does not resolve.</summary>
    private static unsafe Status? Stat(string path, bool followLinks)
    {
        if (StatX == null) return null;
        const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100;
        const uint StatxType = 0x1, StatxIno = 0x100;
        var bytes = new byte[System.Text.Encoding.UTF8.GetMaxByteCount(path.Length) + 1];
        int length = System.Text.Encoding.UTF8.GetBytes(path, bytes);
        bytes[length] = 0;
        // struct statx is 256 bytes on every architecture: stx_ino at 32, stx_dev_major/minor at 136/140.
        var buffer = stackalloc byte[256];
        int result;
        fixed (byte* name = bytes)
            result = StatX(AtFdCwd, name, followLinks ? 0 : AtSymlinkNoFollow, StatxType | StatxIno, buffer);
        if (result != 0) return null;
        ulong inode = *(ulong*)(buffer + 32);
        ulong device = ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140);
        return new Status(device, inode);
    }
}
