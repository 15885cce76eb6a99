using ModelAudit.Audit.Session;
using ModelAudit.Audit.Spec;

namespace ModelAudit.Audit.Tests.Session;

public sealed class AuditSessionTests
{
    private static string DigitsSpec => Path.Combine(TestFiles.RepoRoot, "audit-configs", "digits.yaml");

    [Fact]
    public void Diagnostic_ToStringThenTryParse_RoundTripsEvenWithParenthesesInThePath()
    {
        var d = new AuditDiagnostic("/specs/run (2)/audit.yaml", 25, 5, DiagnosticSeverity.Error, AuditDiagnostic.GateFailedCode, "accuracy: 0.8 is below min 0.9 (no baseline given)");
        Assert.Equal("/specs/run (2)/audit.yaml(25,5): error MA0002: accuracy: 0.8 is below min 0.9 (no baseline given)", d.ToString());
        Assert.True(AuditDiagnostic.TryParse(d.ToString(), out var back));
        Assert.Equal(d, back);
        var w = d with { Severity = DiagnosticSeverity.Warning, Code = AuditDiagnostic.GateWarningCode };
        Assert.True(AuditDiagnostic.TryParse(w.ToString(), out var wBack));
        Assert.Equal(w, wBack);
    }

    [Theory]
    [InlineData("audit passed: 6 gates, 0 warnings")]
    [InlineData("error: /x.npy: not found")]
    [InlineData("spec.yaml(1,2): info MA0001: x")]
    [InlineData("spec.yaml(1,2): error CS0001: x")]
    [InlineData("spec.yaml(99999999999,2): error MA0001: x")]
    public void Diagnostic_TryParse_OtherLines_False(string line) => Assert.False(AuditDiagnostic.TryParse(line, out _));

    [Fact]
    public void Diagnostic_SpecError_IsTheSameFormat()
    {
        var e = new AuditSpecException("s.yaml", new Yaml.SourceMark(3, 7), "unknown key 'x'");
        Assert.True(AuditDiagnostic.TryParse(e.Diagnostic, out var d));
        Assert.Equal(new AuditDiagnostic("s.yaml", 3, 7, DiagnosticSeverity.Error, "MA0001", "unknown key 'x'"), d);
    }

    [Fact]
    public void Session_HostOptionsWinOverTheSpec()
    {
        var spec = AuditSpecLoader.Load(DigitsSpec);
        var fromSpec = new AuditSession(spec, null, null, false);
        Assert.Equal(spec.Outputs.Directory, fromSpec.OutputDirectory);
        Assert.Null(fromSpec.BaselinePath);
        Assert.Null(fromSpec.LoadBaseline(_ => throw new InvalidOperationException("no baseline to read")));
        var fromHost = new AuditSession(spec, "/tmp/out", "/tmp/base.json", true);
        Assert.Equal(("/tmp/out", "/tmp/base.json", true), (fromHost.OutputDirectory, fromHost.BaselinePath, fromHost.NoFail));
        string? read = null;
        fromHost.LoadBaseline(p => { read = p; return new Gates.BaselineReport(p, "00", [], new Model.MetricTable()); });
        Assert.Equal("/tmp/base.json", read);
    }
}
