using System.Text.Json.Nodes;

namespace ModelAudit.Cli.Tests;

/// <summary>run --shard K/N and merge on the shipped digits data: the merged report equals an unsharded run's.</summary>
public sealed class ShardCommandTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("audit-shard-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string Digits(string file) => Path.Combine(CliHarness.RepoRoot, "audit-configs", "digits", file);

    private string Spec(int seed = 0)
    {
        var path = Path.Combine(_temp, $"spec{seed}.yaml");
        File.WriteAllText(path, $"""
            model: '{Digits("model.onnx")}'
            seed: {seed}
            data:
              inputs: '{Digits("input.npy")}'
              labels: '{Digits("labels.npy")}'
            analyses:
              conductance: {"{ steps: 6 }"}
              planes: {"{ bootstrap: 3, null_shuffles: 3 }"}
              ite: {"{}"}
            gates:
              - metric: mean(ite.efficiency[*])
                direction: higher_is_better
                min: -10
            """);
        return path;
    }

    private string[] Shards(string spec, int count)
    {
        var dirs = new string[count];
        for (int k = 1; k <= count; k++)
        {
            dirs[k - 1] = Path.Combine(_temp, $"n{count}-part{k}");
            var (exit, _, error) = CliHarness.Run("run", spec, "--shard", $"{k}/{count}", "--out", dirs[k - 1], "--quiet");
            Assert.True(exit == 0, error);
        }
        return dirs;
    }

    private static JsonNode Normalised(string reportPath)
    {
        var report = JsonNode.Parse(File.ReadAllText(reportPath))!.AsObject();
        report.Remove("timings");
        return report;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Merge_AllShards_ReportEqualsUnshardedRunExceptTimings(int shards)
    {
        var spec = Spec();
        var whole = Path.Combine(_temp, "whole");
        Assert.Equal(0, CliHarness.Run("run", spec, "--out", whole, "--quiet").Exit);
        // Parts in reverse order: merge sorts them by shard index.
        var parts = Shards(spec, shards).Reverse().ToArray();
        var merged = Path.Combine(_temp, $"merged{shards}");
        var (exit, _, error) = CliHarness.Run(["merge", spec, .. parts, "--out", merged, "--quiet"]);
        Assert.True(exit == 0, error);
        // Bit-identical numbers: shards are whole chunks, so every sample runs in the same batch as unsharded.
        Assert.True(JsonNode.DeepEquals(Normalised(Path.Combine(whole, "report.json")), Normalised(Path.Combine(merged, "report.json"))));
    }

    [Fact]
    public void Merge_MissingShard_Exit3NamingIt()
    {
        var spec = Spec();
        var parts = Shards(spec, 3);
        var (exit, _, error) = CliHarness.Run("merge", spec, parts[0], parts[2], "--out", Path.Combine(_temp, "m"));
        Assert.Equal(3, exit);
        Assert.Equal("error: merge: shard 2/3 missing; every shard must be given once", error.Trim());
        Assert.False(Directory.Exists(Path.Combine(_temp, "m")));
    }

    [Fact]
    public void Merge_ShardGivenTwice_Exit3NamingBothFolders()
    {
        var spec = Spec();
        var parts = Shards(spec, 2);
        var (exit, _, error) = CliHarness.Run("merge", spec, parts[0], parts[0], parts[1], "--out", Path.Combine(_temp, "m"));
        Assert.Equal(3, exit);
        Assert.Contains($"{parts[0]}: shard 1/2 is given twice", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void Merge_PartOfAnotherSpec_Exit3NamingThePart()
    {
        var parts = Shards(Spec(seed: 0), 2);
        var other = Spec(seed: 1);
        var (exit, _, error) = CliHarness.Run("merge", other, parts[0], parts[1], "--out", Path.Combine(_temp, "m"));
        Assert.Equal(3, exit);
        Assert.StartsWith($"error: {parts[0]}: spec (SHA-256) differs from this run's", error);
    }

    [Fact]
    public void Merge_CorruptManifest_Exit3NamingTheFile()
    {
        var spec = Spec();
        var parts = Shards(spec, 2);
        File.WriteAllText(Path.Combine(parts[1], "shard.json"), "{\"format\": \"model-audit-shard\", \"format_version\": 1, \"extra\": 1}");
        var (exit, _, error) = CliHarness.Run("merge", spec, parts[0], parts[1], "--out", Path.Combine(_temp, "m"));
        Assert.Equal(3, exit);
        Assert.StartsWith($"error: {Path.Combine(parts[1], "shard.json")}: not a valid shard manifest", error);
    }

    [Fact]
    public async Task Merge_ManifestIsAFifo_Exit3WithoutBlocking()
    {
        if (OperatingSystem.IsWindows()) return;
        var spec = Spec();
        var parts = Shards(spec, 2);
        var manifest = Path.Combine(parts[1], "shard.json");
        File.Delete(manifest);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [manifest])) mkfifo.WaitForExit();
        var (exit, _, error) = await Task.Run(() => CliHarness.Run("merge", spec, parts[0], parts[1], "--out", Path.Combine(_temp, "m")))
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, exit);
        Assert.Contains(manifest, error);
    }

    [Theory]
    [InlineData("0/3")]
    [InlineData("4/3")]
    [InlineData("1/0")]
    [InlineData("a/b")]
    [InlineData("1")]
    public void Run_InvalidShard_Exit3(string shard)
    {
        var (exit, _, error) = CliHarness.Run("run", Spec(), "--shard", shard, "--out", Path.Combine(_temp, "p"));
        Assert.Equal(3, exit);
        Assert.StartsWith("error: --shard: expected K/N", error);
    }
}
