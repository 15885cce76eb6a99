namespace ModelAudit.MSBuild.Tests;

[Collection(PackedTaskCollection.Name)]
public sealed class ModelAuditTargetTests(PackedTask package)
{
    private static string Digits(string file) => Path.Combine(PackedTask.RepoRoot, "audit-configs", "digits", file);

    /// <summary>The shipped default spec with absolute data paths and the accuracy gate's min replaced.</summary>
    private static string Spec(string dir, string accuracyMin)
    {
        var path = Path.Combine(dir, "audit.yaml");
        File.WriteAllText(path, File.ReadAllText(Path.Combine(PackedTask.RepoRoot, "audit-configs", "digits.yaml"))
            .Replace("    min: 0.9\n", $"    min: {accuracyMin}\n", StringComparison.Ordinal)
            .Replace("digits/", Path.GetDirectoryName(Digits("model.onnx")) + "/", StringComparison.Ordinal));
        return path;
    }

    private static void AssertOutput(DotnetResult result, string expected)
        => Assert.True(result.Output.Contains(expected, StringComparison.Ordinal), $"expected:\n{expected}\nin:\n{result.Output}");

    [Fact]
    public void Build_PassingGates_SucceedsWithReportItems_ThenSkipsWhenUnchanged()
    {
        var dir = package.CreateProject("passing", "<ModelAuditSpec>audit.yaml</ModelAuditSpec>");
        Spec(dir, "0.9");
        var first = package.Dotnet(dir, "build", "-v:n");
        first.AssertExit(0);
        var reports = Path.Combine(dir, "obj", "model-audit");
        AssertOutput(first, $"model-audit: {Path.Combine(reports, "report.json")}, {Path.Combine(reports, "report.html")}, {Path.Combine(reports, "summary.md")}, {Path.Combine(reports, "junit.xml")}");
        Assert.True(File.Exists(Path.Combine(reports, "report.html")));

        var second = package.Dotnet(dir, "build", "-v:n");
        second.AssertExit(0);
        AssertOutput(second, "Skipping target \"ModelAudit\" because all output files are up-to-date");
    }

    [Fact]
    public void Build_FailingGate_FailsWithTheGateMessageAtItsLine()
    {
        var dir = package.CreateProject("failing", "<ModelAuditSpec>audit.yaml</ModelAuditSpec>");
        var spec = Spec(dir, "1.5");
        var result = package.Dotnet(dir, "build");
        result.AssertExit(1);
        AssertOutput(result, $"{spec}(25,5,25,5): model-audit error MA0002: accuracy: 1 is below min 1.5 (no baseline given: regression not checked)");
        AssertOutput(result, "1 Error(s)");
        // The reports of a failing audit are kept, but the next build runs the audit again.
        Assert.True(File.Exists(Path.Combine(dir, "obj", "model-audit", "report.json")));
        package.Dotnet(dir, "build").AssertExit(1);
    }

    [Fact]
    public void Build_FailingGateWithNoFail_Warns()
    {
        var dir = package.CreateProject("nofail", "<ModelAuditSpec>audit.yaml</ModelAuditSpec><ModelAuditNoFail>true</ModelAuditNoFail>");
        var spec = Spec(dir, "1.5");
        var result = package.Dotnet(dir, "build");
        result.AssertExit(0);
        AssertOutput(result, $"{spec}(25,5,25,5): model-audit warning MA0002: accuracy: 1 is below min 1.5");
    }

    [Fact]
    public void ModelAuditTarget_BrokenSpecOnDemand_ErrorAtSpecLine()
    {
        var dir = package.CreateProject("broken", "<ModelAuditRunAfterBuild>false</ModelAuditRunAfterBuild>");
        var spec = Path.Combine(dir, "broken.yaml");
        File.WriteAllText(spec, $"model: '{Digits("model.onnx")}'\ndata:\n  inputs: '{Digits("input.npy")}'\n  labels: predicted\nanalyses:\n  planes: {{ estimator: histogram }}\n");
        package.Dotnet(dir, "build").AssertExit(0);
        var result = package.Dotnet(dir, "build", "-t:ModelAudit", $"-p:ModelAuditSpec={spec}");
        result.AssertExit(1);
        AssertOutput(result, $"{spec}(6,24,6,24): model-audit error MA0001: 'analyses.planes.estimator' must be one of binning, kde, ksg, gaussian, renyi; got 'histogram'");
        var none = package.Dotnet(dir, "build", "-t:ModelAudit");
        none.AssertExit(1);
        AssertOutput(none, "error MA0000: Set the ModelAuditSpec property to an audit spec (YAML) to run the ModelAudit target.");
    }
}
