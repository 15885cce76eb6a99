using ModelAudit.Tensors.Io;

namespace ModelAudit.Tensors.Tests.Io;

public sealed class LayerDumpTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("dump-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void UniqueFileName_UnsafeAndCollidingNames_SanitisedAndNumbered()
    {
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "index.json" };
        Assert.Equal("conv1_Conv_output_0.npy", LayerDump.UniqueFileName("/conv1/Conv_output_0", used));
        Assert.Equal("conv1_Conv_output_0_2.npy", LayerDump.UniqueFileName("conv1:Conv_output_0", used));
        Assert.Equal("CONV1_Conv_output_0_3.npy", LayerDump.UniqueFileName("CONV1/Conv_output_0", used));
        Assert.Equal("tensor.npy", LayerDump.UniqueFileName("//", used));
        Assert.Equal("index_2.npy", LayerDump.UniqueFileName("index", new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "index.json", "index.npy" }));
        Assert.Equal("a.._b.npy", LayerDump.UniqueFileName("../a../b", used));
    }

    [Fact]
    public void StageCommit_WritesArraysAndIndex_ReplacesEarlierDump()
    {
        var dir = Path.Combine(_temp, "out");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "stale.npy"), "old");
        File.WriteAllText(Path.Combine(dir, "index.json"), "{}");
        using (var dump = LayerDump.Stage(dir, [KeyValuePair.Create("/a/b", NpyArray.FromFloat32([1f, 2f], 2)), KeyValuePair.Create("a_b", NpyArray.FromFloat32([3f], 1))]))
        {
            Assert.True(File.Exists(Path.Combine(dir, "stale.npy")));
            dump.Commit();
        }
        var index = LayerDump.ReadIndex(dir);
        Assert.Equal("a_b.npy", index["/a/b"]);
        Assert.Equal("a_b_2.npy", index["a_b"]);
        Assert.Equal(new[] { 1f, 2f }, (float[])NpyFile.Read(Path.Combine(dir, "a_b.npy")).Data);
        Assert.Equal(["out"], Directory.EnumerateFileSystemEntries(_temp).Select(Path.GetFileName));
        Assert.False(File.Exists(Path.Combine(dir, "stale.npy")));
    }

    [Fact]
    public void Stage_ExistingFolderWithOtherFiles_RefusesAndLeavesItAlone()
    {
        var dir = Path.Combine(_temp, "data");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "keep me");
        var e = Assert.Throws<DataFileException>(() => LayerDump.Stage(dir, [KeyValuePair.Create("x", NpyArray.FromFloat32([1f], 1))]));
        Assert.Contains("folder exists and is not an earlier dump", e.Message);
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(dir, "notes.txt")));
        Assert.Equal(["data"], Directory.EnumerateFileSystemEntries(_temp).Select(Path.GetFileName));
    }

    [Fact]
    public void Stage_DisposedWithoutCommit_LeavesNothing()
    {
        using (LayerDump.Stage(Path.Combine(_temp, "out"), [KeyValuePair.Create("x", NpyArray.FromFloat32([1f], 1))]))
        {
            Assert.Single(Directory.EnumerateDirectories(_temp));
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp));
    }

    [Fact]
    public void Stage_Cancelled_RemovesTemporaryFolder()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => LayerDump.Stage(Path.Combine(_temp, "out"), [KeyValuePair.Create("x", NpyArray.FromFloat32([1f], 1))], cancelled.Token));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp));
    }

    [Fact]
    public void StagedFile_CommitReplaces_DisposeWithoutCommitRemoves()
    {
        var path = Path.Combine(_temp, "a.npy");
        File.WriteAllText(path, "old");
        using (var staged = StagedFile.Write(path, s => NpyFile.Write(s, NpyArray.FromFloat32([5f], 1))))
        {
            Assert.Equal("old", File.ReadAllText(path));
            staged.Commit();
        }
        Assert.Equal(new[] { 5f }, (float[])NpyFile.Read(path).Data);
        using (StagedFile.Write(Path.Combine(_temp, "b.npy"), s => s.WriteByte(1)))
        {
        }
        Assert.Equal(["a.npy"], Directory.EnumerateFileSystemEntries(_temp).Select(Path.GetFileName));
    }
}
