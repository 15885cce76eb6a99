using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ModelAudit.Audit.Model;
using ModelAudit.Reporting.Json;

namespace ModelAudit.Reporting.Tests;

public sealed partial class ReportJsonTests(ReportFixture fixture) : IClassFixture<ReportFixture>, IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("json-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string Json(AuditReport report)
    {
        using var stream = new MemoryStream();
        ReportJsonWriter.Write(stream, report);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void Write_ThenRead_MetricsLayersAndGatesRoundTripExactly()
    {
        var path = Path.Combine(_temp, "report.json");
        File.WriteAllText(path, Json(fixture.Digits));
        var doc = ReportJsonReader.Read(path);
        Assert.Equal(AuditReport.CurrentSchemaVersion, doc.SchemaVersion);
        Assert.Equal(fixture.Digits.Metrics.Entries().ToList(), doc.Baseline.Metrics.Entries().ToList());
        Assert.Equal(fixture.Digits.Layers.Select(l => l.Name), doc.Baseline.Layers);
        Assert.Equal(fixture.Digits.Gates.Select(g => g.Gate), doc.Gates);
    }

    [Fact]
    public void Write_TwoRunsOfSameSpec_ByteIdenticalExceptTimings()
    {
        var a = Json(fixture.Digits);
        var b = Json(ReportFixture.RunDigits());
        Assert.Contains("\"total_seconds\": ", a, StringComparison.Ordinal);
        Assert.Equal(WithoutTimings(a), WithoutTimings(b));
        using var doc = JsonDocument.Parse(a);
        var root = doc.RootElement;
        Assert.Equal(2, root.GetProperty("schema_version").GetInt32());
        Assert.Equal("timings", root.EnumerateObject().Last().Name);
        Assert.Equal(64, root.GetProperty("model").GetProperty("sha256").GetString()!.Length);
        Assert.Equal(64, root.GetProperty("data").GetProperty("sha256").GetString()!.Length);
        Assert.Equal(0, root.GetProperty("seed").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("baseline").ValueKind);
    }

    [Fact]
    public void Read_WrongSchemaVersion_Refused()
    {
        var path = Path.Combine(_temp, "old.json");
        File.WriteAllText(path, Json(fixture.Digits).Replace("\"schema_version\": 2", "\"schema_version\": 99", StringComparison.Ordinal));
        var e = Assert.Throws<ReportFormatException>(() => ReportJsonReader.Read(path));
        Assert.Equal($"{path}: schema_version 99 is not supported (this tool reads 1 and 2)", e.Message);
        File.WriteAllText(path, "{\"a\": 1}");
        Assert.Equal($"{path}: not a model-audit report.json (no schema_version)", Assert.Throws<ReportFormatException>(() => ReportJsonReader.Read(path)).Message);
    }

    private static string WithoutTimings(string json) => TimingsBlock().Replace(json, "\"timings\": {}");

    [GeneratedRegex("\"timings\": \\{[^}]*\\}")]
    private static partial Regex TimingsBlock();
}
