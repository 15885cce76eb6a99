using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using ModelAudit.Audit.Spec;
using ModelAudit.Reporting.Json;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Reporting.Tests;

/// <summary>Baselines that are not valid reports, and report sets that must be written all or nothing.</summary>
public sealed class HostileReportTests(ReportFixture fixture) : IClassFixture<ReportFixture>, IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("hostile-report").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string ValidJson()
    {
        using var stream = new MemoryStream();
        ReportJsonWriter.Write(stream, fixture.Digits);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private string WriteReport(string name, Action<JsonNode> mutate)
    {
        var node = JsonNode.Parse(ValidJson())!;
        mutate(node);
        var path = Path.Combine(_temp, name);
        File.WriteAllText(path, node.ToJsonString());
        return path;
    }

    private static string ReadError(string path) => Assert.Throws<ReportFormatException>(() => ReportJsonReader.Read(path)).Message;

    [Theory]
    [InlineData("\"NaN\"", "the string \"NaN\"")]
    [InlineData("\"0.5\"", "the string \"0.5\"")]
    [InlineData("true", "a boolean")]
    [InlineData("[1]", "an array")]
    public void Read_MetricOfWrongType_ErrorNamesJsonPath(string value, string got)
    {
        var path = WriteReport("r.json", n => n["scalars"]!["accuracy"]!["value"] = JsonNode.Parse(value));
        Assert.Equal($"{path}: not a valid model-audit report.json: $.scalars[\"accuracy\"].value: expected a finite number or null, got {got}", ReadError(path));
        path = WriteReport("l.json", n => n["layers"]![1]!["metrics"]!["conductance.share"]!["value"] = JsonNode.Parse(value));
        Assert.Equal($"{path}: not a valid model-audit report.json: $.layers[1].metrics[\"conductance.share\"].value: expected a finite number or null, got {got}", ReadError(path));
    }

    [Fact]
    public void Read_MetricOutOfDoubleRange_Refused()
    {
        var path = Path.Combine(_temp, "r.json");
        var json = ValidJson();
        int accuracy = json.IndexOf("\"value\": 1,", json.IndexOf("\"scalars\"", StringComparison.Ordinal), StringComparison.Ordinal);
        File.WriteAllText(path, json[..accuracy] + "\"value\": 1e400," + json[(accuracy + "\"value\": 1,".Length)..]);
        Assert.Equal($"{path}: not a valid model-audit report.json: $.scalars[\"accuracy\"].value: expected a finite number or null, got the number 1e400", ReadError(path));
    }

    [Theory]
    [InlineData("\"1\"", "expected a 32-bit integer, got the string \"1\"")]
    [InlineData("1.5", "expected a 32-bit integer, got the number 1.5")]
    [InlineData("null", "expected a 32-bit integer, got null")]
    public void Read_SchemaVersionOfWrongType_Refused(string value, string problem)
    {
        var path = WriteReport("r.json", n => n["schema_version"] = JsonNode.Parse(value));
        Assert.Equal($"{path}: not a valid model-audit report.json: $.schema_version: {problem}", ReadError(path));
    }

    [Fact]
    public void Read_GateFieldWrongType_ErrorNamesGateIndex()
    {
        var path = WriteReport("r.json", n => n["gates"]![1]!["min"] = "0.5");
        Assert.Equal($"{path}: not a valid model-audit report.json: $.gates[1].min: expected a finite number or null, got the string \"0.5\"", ReadError(path));
        path = WriteReport("r2.json", n => n["gates"]![0]!.AsObject().Remove("direction"));
        Assert.Equal($"{path}: not a valid model-audit report.json: $.gates[0].direction: missing", ReadError(path));
    }

    [Fact]
    public void Read_Truncated_Refused()
    {
        var path = Path.Combine(_temp, "r.json");
        var json = ValidJson();
        File.WriteAllText(path, json[..(json.Length / 2)]);
        Assert.StartsWith($"{path}: not a valid model-audit report.json: not valid JSON at line ", ReadError(path), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_InvalidUtf8_Refused()
    {
        var path = Path.Combine(_temp, "r.json");
        var bytes = Encoding.UTF8.GetBytes(ValidJson());
        int at = bytes.AsSpan().IndexOf("dotnet-model-audit test"u8) + "dotnet-model-audit ".Length;
        bytes[at] = 0xFF;
        File.WriteAllBytes(path, bytes);
        Assert.Equal($"{path}: not a valid model-audit report.json: not valid UTF-8 (at byte {at})", ReadError(path));
    }

    [Fact]
    public void Read_OverSizeLimit_RefusedBeforeReading()
    {
        var path = Path.Combine(_temp, "r.json");
        using (var f = File.Create(path)) f.SetLength(ReportJsonReader.MaxBytes + 1);
        Assert.Equal($"{path}: {ReportJsonReader.MaxBytes + 1} bytes is more than the limit of {ReportJsonReader.MaxBytes} bytes", ReadError(path));
    }

    [Fact]
    public void Read_DevZeroAndFifoAndFolder_RefusedAsNotRegular()
    {
        Assert.Equal($"{_temp}: is a directory, not a regular file", ReadError(_temp));
        if (!OperatingSystem.IsLinux()) return;
        Assert.Equal("/dev/zero: is a character device, not a regular file", ReadError("/dev/zero"));
        var fifo = Path.Combine(_temp, "fifo.json");
        Run("mkfifo", fifo);
        var watch = Stopwatch.StartNew();
        Assert.Equal($"{fifo}: is a named pipe (FIFO), not a regular file", ReadError(fifo));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Read_ValidReport_Sha256OfTheBytesRead()
    {
        var path = WriteReport("r.json", _ => { });
        Assert.Equal(Audit.Running.AuditRunner.Sha256(path), ReportJsonReader.Read(path).Baseline.Sha256);
    }

    [Fact]
    public void CheckBaseline_OutIsSymlinkToBaselineFolder_Refused()
    {
        if (OperatingSystem.IsWindows()) return;
        var real = Directory.CreateDirectory(Path.Combine(_temp, "real")).FullName;
        var baseline = Path.Combine(real, "report.json");
        File.WriteAllText(baseline, "{}");
        var link = Path.Combine(_temp, "link");
        Directory.CreateSymbolicLink(link, real);
        var e = Assert.Throws<IOException>(() => ReportWriter.Write(fixture.Digits, link, new OutputSpec(link, true, true, true), baseline, null, CancellationToken.None));
        Assert.Equal($"{baseline}: the output would overwrite the baseline; choose another --out folder", e.Message);
        Assert.Equal("{}", File.ReadAllText(baseline));
        Assert.Equal(["report.json"], Directory.GetFileSystemEntries(real).Select(Path.GetFileName));
    }

    [Fact]
    public void CheckBaseline_BaselineSpelledThroughSymlink_Refused()
    {
        if (OperatingSystem.IsWindows()) return;
        var out1 = Directory.CreateDirectory(Path.Combine(_temp, "out")).FullName;
        File.WriteAllText(Path.Combine(out1, "report.json"), "{}");
        var alias = Path.Combine(_temp, "alias");
        Directory.CreateSymbolicLink(alias, out1);
        var fileLink = Path.Combine(_temp, "baseline.json");
        File.CreateSymbolicLink(fileLink, Path.Combine(out1, "report.json"));
        var targets = ReportWriter.Targets(out1, new OutputSpec(out1, true, true, true));
        Assert.Throws<IOException>(() => ReportWriter.CheckBaseline(targets, Path.Combine(alias, "report.json")));
        Assert.Throws<IOException>(() => ReportWriter.CheckBaseline(targets, fileLink));
        Assert.Throws<IOException>(() => ReportWriter.CheckBaseline(targets, Path.Combine(out1, "..", "out", "report.json")));
    }

    [Fact]
    public void CheckBaseline_HardLinkToBaseline_Refused()
    {
        if (!OperatingSystem.IsLinux()) return;
        var out1 = Directory.CreateDirectory(Path.Combine(_temp, "out")).FullName;
        var baseline = Path.Combine(_temp, "baseline.json");
        File.WriteAllText(baseline, "{}");
        Run("ln", baseline, Path.Combine(out1, "report.json"));
        Assert.True(RegularFile.SameFile(baseline, Path.Combine(out1, "report.json")));
        var targets = ReportWriter.Targets(out1, new OutputSpec(out1, true, true, true));
        Assert.Throws<IOException>(() => ReportWriter.CheckBaseline(targets, baseline));
    }

    [Fact]
    public void CheckBaseline_DifferentFileSameName_Allowed()
    {
        var a = Directory.CreateDirectory(Path.Combine(_temp, "a")).FullName;
        var b = Directory.CreateDirectory(Path.Combine(_temp, "b")).FullName;
        File.WriteAllText(Path.Combine(a, "report.json"), "{}");
        File.WriteAllText(Path.Combine(b, "report.json"), "{}");
        ReportWriter.CheckBaseline(ReportWriter.Targets(b, new OutputSpec(b, true, true, true)), Path.Combine(a, "report.json"));
        Assert.False(RegularFile.SameFile(Path.Combine(a, "report.json"), Path.Combine(b, "report.json")));
    }

    [Theory]
    [InlineData("report.html")]
    [InlineData("junit.xml")]
    public void Write_OneTargetIsAFolder_NothingReplaced(string folderName)
    {
        var dir = Path.Combine(_temp, "out");
        Directory.CreateDirectory(dir);
        foreach (var name in new[] { "report.json", "summary.md", "report.html", "junit.xml" }.Where(n => n != folderName))
            File.WriteAllText(Path.Combine(dir, name), "old " + name);
        Directory.CreateDirectory(Path.Combine(dir, folderName));
        var e = Assert.Throws<IOException>(() => ReportWriter.Write(fixture.Digits, dir, new OutputSpec(dir, true, true, true), null, null, CancellationToken.None));
        Assert.Equal($"{Path.Combine(dir, folderName)}: is a directory; give a file path", e.Message);
        foreach (var name in new[] { "report.json", "summary.md", "report.html", "junit.xml" }.Where(n => n != folderName))
            Assert.Equal("old " + name, File.ReadAllText(Path.Combine(dir, name)));
        Assert.Empty(Directory.EnumerateFiles(dir, "*.tmp"));
        Assert.Empty(Directory.EnumerateFiles(dir, ".*"));
    }

    [Fact]
    public void CommitAll_RenameFailsMidway_EarlierFilesRestored()
    {
        var first = Path.Combine(_temp, "a.txt");
        var second = Path.Combine(_temp, "b.txt");
        File.WriteAllText(first, "old a");
        File.WriteAllText(second, "old b");
        using var a = StagedFile.Write(first, s => s.Write("new a"u8));
        using var b = StagedFile.Write(second, s => s.Write("new b"u8));
        // Make the second rename fail after the first has happened: its staged file vanishes.
        foreach (var temp in Directory.EnumerateFiles(_temp, ".b.txt.*.tmp")) File.Delete(temp);
        Assert.ThrowsAny<IOException>(() => StagedFile.CommitAll([a, b]));
        Assert.Equal("old a", File.ReadAllText(first));
        Assert.Equal("old b", File.ReadAllText(second));
        Assert.Equal(["a.txt", "b.txt"], Directory.EnumerateFileSystemEntries(_temp).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void CommitAll_AllSucceed_NoBackupsLeft()
    {
        var first = Path.Combine(_temp, "a.txt");
        File.WriteAllText(first, "old a");
        using var a = StagedFile.Write(first, s => s.Write("new a"u8));
        using var b = StagedFile.Write(Path.Combine(_temp, "b.txt"), s => s.Write("new b"u8));
        StagedFile.CommitAll([a, b]);
        Assert.Equal("new a", File.ReadAllText(first));
        Assert.Equal(["a.txt", "b.txt"], Directory.EnumerateFileSystemEntries(_temp).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void StagedFile_WriteFails_TempDeletedAndErrorNamesTarget()
    {
        var target = Path.Combine(_temp, "y.npy");
        var e = Assert.Throws<IOException>(() => StagedFile.Write(target, _ => throw new IOException("No space left on device")));
        Assert.Equal($"{target}: cannot write: No space left on device", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp));
    }

    [Fact]
    public void StagedFile_TargetIsFolder_RefusedBeforeWriting()
    {
        var e = Assert.Throws<IOException>(() => StagedFile.Write(_temp, s => s.WriteByte(1)));
        Assert.Equal($"{_temp}: is a directory; give a file path", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp));
    }

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(file, args);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
