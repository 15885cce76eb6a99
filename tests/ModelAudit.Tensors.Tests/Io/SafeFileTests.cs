using System.Diagnostics;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Tensors.Tests.Io;

public sealed class SafeFileTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("safefile-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    /// <summary>Creates a FIFO with mkfifo (no .NET API); null where the platform has none.</summary>
    internal static string? MakeFifo(string path)
    {
        if (OperatingSystem.IsWindows()) return null;
        using var process = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        process.WaitForExit();
        return process.ExitCode == 0 ? path : null;
    }

    [Fact]
    public async Task OpenRegular_Fifo_RefusedWithoutBlocking()
    {
        var fifo = MakeFifo(Path.Combine(_temp, "pipe.npy"));
        if (fifo is null) return;
        // WaitAsync fails the test with a TimeoutException where opening the FIFO would block.
        var e = await Task.Run(() => Assert.Throws<DataFileException>(() => SafeFile.OpenRegular(fifo, 1000))).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal($"{fifo}: is a named pipe (FIFO), not a regular file", e.Message);
        e = await Task.Run(() => Assert.Throws<DataFileException>(() => CsvData.Read(fifo, hasHeader: false))).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal($"{fifo}: is a named pipe (FIFO), not a regular file", e.Message);
        e = await Task.Run(() => Assert.Throws<DataFileException>(() => NpzFile.Read(fifo))).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal($"{fifo}: is a named pipe (FIFO), not a regular file", e.Message);
    }

    [Fact]
    public void OpenRegular_DevZero_RefusedAsDevice()
    {
        if (!File.Exists("/dev/zero")) return;
        var e = Assert.Throws<DataFileException>(() => SafeFile.ReadAllBytes("/dev/zero", long.MaxValue));
        Assert.Equal("/dev/zero: is a character device, not a regular file", e.Message);
    }

    [Fact]
    public void OpenRegular_DirectoryOrMissing_OneLineErrorNamingPath()
    {
        Assert.Equal($"{_temp}: is a directory, not a regular file", Assert.Throws<DataFileException>(() => SafeFile.OpenRegular(_temp, 10)).Message);
        var missing = Path.Combine(_temp, "missing.npy");
        Assert.Equal($"{missing}: file not found", Assert.Throws<DataFileException>(() => SafeFile.OpenRegular(missing, 10)).Message);
    }

    [Fact]
    public void ReadAllBytes_LargerThanBound_RefusedBeforeReading()
    {
        var path = Path.Combine(_temp, "big.bin");
        File.WriteAllBytes(path, new byte[100]);
        Assert.Equal(100, SafeFile.ReadAllBytes(path, 100).Length);
        var e = Assert.Throws<DataFileException>(() => SafeFile.ReadAllBytes(path, 99));
        Assert.Equal($"{path}: 100 bytes is more than the limit of 99 bytes", e.Message);
    }

    [Fact]
    public void OpenRegular_SymlinkToRegularFile_Accepted()
    {
        var target = Path.Combine(_temp, "data.bin");
        File.WriteAllBytes(target, [1, 2, 3]);
        var link = Path.Combine(_temp, "link.bin");
        File.CreateSymbolicLink(link, target);
        using var stream = SafeFile.OpenRegular(link, 3);
        Assert.Equal(3, stream.Length);
    }
}
