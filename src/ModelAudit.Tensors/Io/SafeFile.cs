using System.Runtime.InteropServices;

namespace ModelAudit.Tensors.Io;

/// <summary>
/// Opens files named by users or by models (models, external data, .npy/.npz/.csv inputs, specs,
/// baselines) so that hostile paths cannot hang or exhaust the tool: only regular files are opened
/// (a FIFO would block forever, <c>/dev/zero</c> never ends, a directory or socket is not data), and a
/// file larger than the caller's bound is refused before anything is read.
/// </summary>
/// <remarks>
/// The file type is checked with <c>stat</c> (symbolic links are followed: a link to a regular file is
/// fine) before opening, and the opened handle is checked again (seekable, length within the bound),
/// which narrows the window for a file swapped between the two checks. Every refusal is a one-line
/// <see cref="DataFileException"/> naming the path.
/// </remarks>
public static class SafeFile
{
    /// <summary>The largest file <see cref="ReadAllBytes"/> can return (the largest .NET byte array).</summary>
    public static readonly long MaxArrayBytes = Array.MaxLength;

    /// <summary>Opens <paramref name="path"/> for reading when it is a regular file of at most <paramref name="maxBytes"/> bytes.</summary>
    /// <param name="path">The file; a symbolic link is followed.</param>
    /// <param name="maxBytes">The largest accepted size in bytes.</param>
    /// <returns>A read-only stream positioned at the start; the caller disposes it.</returns>
    /// <exception cref="DataFileException">The file is missing, not a regular file (directory, FIFO, device, socket), unreadable, or larger than <paramref name="maxBytes"/>.</exception>
    public static FileStream OpenRegular(string path, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        EnsureRegular(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException($"{path}: cannot be opened: {OneLine(e.Message)}", e);
        }
        try
        {
            // A regular file is seekable; anything swapped in for it after the stat check (a pipe) is not.
            if (!stream.CanSeek) throw new DataFileException($"{path}: not a regular file");
            if (stream.Length > maxBytes)
                throw new DataFileException($"{path}: {stream.Length} bytes is more than the limit of {maxBytes} bytes");
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads the whole of a regular file of at most <paramref name="maxBytes"/> bytes (capped at <see cref="MaxArrayBytes"/>).</summary>
    /// <exception cref="DataFileException">As <see cref="OpenRegular"/>, or the file changed size while being read.</exception>
    public static byte[] ReadAllBytes(string path, long maxBytes)
    {
        using var stream = OpenRegular(path, Math.Min(maxBytes, MaxArrayBytes));
        var bytes = new byte[stream.Length];
        int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read != bytes.Length) throw new DataFileException($"{path}: file shrank while being read ({read} of {bytes.Length} bytes)");
        return bytes;
    }

    /// <summary>
    /// Checks that <paramref name="path"/> exists and is a regular file (after following symbolic links),
    /// for callers that open the file themselves (e.g. with <see cref="File.ReadLines(string)"/>).
    /// </summary>
    /// <exception cref="DataFileException">The file is missing or is a directory, FIFO, device or socket.</exception>
    public static void EnsureRegular(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) throw new DataFileException($"{path}: is a directory, not a regular file");
        if (!File.Exists(path)) throw new DataFileException($"{path}: file not found");
        if (OperatingSystem.IsWindows())
        {
            // Windows has no FIFOs or device nodes in the file namespace that File.Exists accepts.
            return;
        }
        int mode = StatMode(path);
        if (mode < 0) return; // stat unavailable: the handle checks in OpenRegular still apply.
        string? kind = (mode & TypeMask) switch
        {
            RegularFile => null,
            Fifo => "a named pipe (FIFO)",
            CharacterDevice => "a character device",
            BlockDevice => "a block device",
            Socket => "a socket",
            DirectoryType => "a directory",
            _ => "not a regular file",
        };
        if (kind is not null) throw new DataFileException($"{path}: is {kind}, not a regular file");
    }

    // File type bits as the .NET runtime's native shim (libSystem.Native) reports them on every Unix.
    private const int TypeMask = 0xF000;
    private const int Fifo = 0x1000;
    private const int CharacterDevice = 0x2000;
    private const int DirectoryType = 0x4000;
    private const int BlockDevice = 0x6000;
    private const int RegularFile = 0x8000;
    private const int Socket = 0xC000;

    private static int StatMode(string path)
    {
        // SystemNative_Stat fills a runtime-defined FileStatus { int Flags; int Mode; ... } with the same
        // layout on every Unix (unlike libc's struct stat); the buffer is larger than the struct.
        var buffer = new byte[512];
        try
        {
            if (SystemNativeStat(path, buffer) != 0)
                throw new DataFileException($"{path}: cannot be read: {Marshal.GetLastPInvokeErrorMessage()}");
            return BitConverter.ToInt32(buffer, 4);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return -1;
        }
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int SystemNativeStat(string path, byte[] output);

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
