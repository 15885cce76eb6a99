using System.Runtime.InteropServices;

namespace ModelAudit.Tensors.Io;

/// <summary>
/// The one place that decides whether a path names a readable regular file, reads one with a size bound, and
/// tells whether two paths are the same file. On Linux it asks the kernel (<c>statx</c>, which has one layout on
/// every architecture) for the file type, device and inode; elsewhere it falls back to managed checks (folders
/// are refused, identity is the resolved path). Nothing here opens a FIFO or device, so none can block or stream
/// without end.
/// </summary>
public static class RegularFile
{
    /// <summary>
    /// Why <paramref name="path"/> cannot be read as a regular file (<c>the file does not exist</c>,
    /// <c>is a directory, not a file</c>, ...), or null when it can. Symbolic links are followed.
    /// </summary>
    public static string? Problem(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0) return "the path is empty";
        if (path.Contains('\0', StringComparison.Ordinal)) return "the path contains a NUL character";
        if (Stat(path, followLinks: true) is { } status)
        {
            return (status.Mode & TypeMask) switch
            {
                RegularType => null,
                DirectoryType => "is a directory, not a file",
                FifoType => "is a FIFO (named pipe), not a regular file",
                CharDeviceType or BlockDeviceType => "is a device, not a regular file",
                SocketType => "is a socket, not a regular file",
                _ => "is not a regular file",
            };
        }
        if (Directory.Exists(path)) return "is a directory, not a file";
        if (!File.Exists(path)) return "the file does not exist";
        return null;
    }

    /// <summary>Reads a regular file whole, refusing anything that is not one and anything over <paramref name="maxBytes"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The most bytes accepted.</param>
    /// <param name="fail">Makes the exception to throw from a message that does not yet name the file.</param>
    /// <returns>The bytes.</returns>
    public static byte[] ReadAllBytes(string path, long maxBytes, Func<string, Exception> fail)
    {
        ArgumentNullException.ThrowIfNull(fail);
        if (Problem(path) is { } problem) throw fail(problem);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        if (stream.Length > maxBytes) throw fail($"the file is {stream.Length} bytes; the limit is {maxBytes} bytes");
        // Read at most one byte past the limit, in case the file grows while it is read.
        var buffer = new byte[Math.Min(stream.Length, maxBytes) + 1];
        int total = 0, read;
        while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0) total += read;
        if (total > maxBytes) throw fail($"the file is over the limit of {maxBytes} bytes");
        return buffer[..total];
    }

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

    private const int TypeMask = 0xF000;
    private const int FifoType = 0x1000;
    private const int CharDeviceType = 0x2000;
    private const int DirectoryType = 0x4000;
    private const int BlockDeviceType = 0x6000;
    private const int RegularType = 0x8000;
    private const int SocketType = 0xC000;

    private readonly record struct Status(int Mode, ulong Device, ulong Inode);

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

    /// <summary>statx(2): type, device and inode; null when unavailable or the path does not resolve.</summary>
    private static unsafe Status? Stat(string path, bool followLinks)
    {
        if (StatX == null) return null;
        const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100;
        const uint StatxType = 0x1, StatxIno = 0x100;
        var bytes = new byte[System.Text.Encoding.UTF8.GetMaxByteCount(path.Length) + 1];
        int length = System.Text.Encoding.UTF8.GetBytes(path, bytes);
        bytes[length] = 0;
        // struct statx is 256 bytes on every architecture: stx_mode (u16) at 28, stx_ino at 32, stx_dev_major/minor at 136/140.
        var buffer = stackalloc byte[256];
        int result;
        fixed (byte* name = bytes)
            result = StatX(AtFdCwd, name, followLinks ? 0 : AtSymlinkNoFollow, StatxType | StatxIno, buffer);
        if (result != 0) return null;
        int mode = *(ushort*)(buffer + 28);
        ulong inode = *(ulong*)(buffer + 32);
        ulong device = ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140);
        return new Status(mode, device, inode);
    }
}
