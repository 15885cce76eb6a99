namespace ModelAudit.MSBuild.Tests;

/// <summary>The ModelAudit target's Inputs are the files the spec names (resolved by the CLI's run --list-inputs), not a glob.</summary>
[Collection(PackedTaskCollection.Name)]
public sealed class ModelAuditInputsTests(PackedTask package)
{
    private static string Digits(string file) => Path.Combine(PackedTask.RepoRoot, "audit-configs", "digits", file);

    private static void AssertOutput(DotnetResult result, string expected, bool present = true)
        => Assert.True(result.Output.Contains(expected, StringComparison.Ordinal) == present,
            $"expected {(present ? "" : "no ")}\n{expected}\nin:\n{result.Output}");

    /// <summary>A project whose spec names model, data and labels in a subfolder by relative paths (no glob could see them from the spec's folder alone).</summary>
    private string Project(string name)
    {
        var dir = package.CreateProject(name, "<ModelAuditSpec>specs/audit.yaml</ModelAuditSpec>");
        var specs = Directory.CreateDirectory(Path.Combine(dir, "specs")).FullName;
        var model = Directory.CreateDirectory(Path.Combine(dir, "model")).FullName;
        foreach (var file in new[] { "model.onnx", "input.npy", "labels.npy" }) File.Copy(Digits(file), Path.Combine(model, file));
        File.WriteAllText(Path.Combine(specs, "audit.yaml"), """
            model: ../model/model.onnx
            data:
              inputs: ../model/input.npy
              labels: ../model/labels.npy
            analyses:
              conductance: { steps: 8 }
              planes: { bootstrap: 2 }
              ite: {}
            gates:
              - metric: accuracy
                direction: higher_is_better
                min: 0.9
            """);
        return dir;
    }

    /// <summary>Marks a file as written after the last audit (file times can be coarse, so a second into the future).</summary>
    private static void Touch(string path) => File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(2));

    [Fact]
    public void Build_ModelReplaced_AuditRunsAgain_UnchangedSkipped_JunkModelFails()
    {
        var dir = Project("inputs");
        var reportLine = "model-audit: " + Path.Combine(dir, "obj", "model-audit", "report.json");
        const string skipped = "Skipping target \"ModelAudit\" because all output files are up-to-date";

        var first = package.Dotnet(dir, "build", "-v:n");
        first.AssertExit(0);
        AssertOutput(first, reportLine);
        AssertOutput(first, "model-audit inputs: " + string.Join(", ",
            Path.Combine(dir, "specs", "audit.yaml"), Path.Combine(dir, "model", "model.onnx"), Path.Combine(dir, "model", "input.npy"), Path.Combine(dir, "model", "labels.npy")));

        var unchanged = package.Dotnet(dir, "build", "-v:n");
        unchanged.AssertExit(0);
        AssertOutput(unchanged, skipped);
        AssertOutput(unchanged, reportLine, present: false);

        // The same model written again (a retrained model of the same architecture): the audit runs again.
        var model = Path.Combine(dir, "model", "model.onnx");
        File.Copy(Digits("model.onnx"), model, overwrite: true);
        Touch(model);
        var replaced = package.Dotnet(dir, "build", "-v:n");
        replaced.AssertExit(0);
        AssertOutput(replaced, skipped, present: false);
        AssertOutput(replaced, reportLine);

        // New labels re-run it too.
        Touch(Path.Combine(dir, "model", "labels.npy"));
        var relabelled = package.Dotnet(dir, "build", "-v:n");
        relabelled.AssertExit(0);
        AssertOutput(relabelled, reportLine);

        // A model replaced with junk no longer builds green.
        File.WriteAllBytes(model, [1, 2, 3, 4, 5, 6, 7, 8]);
        Touch(model);
        var junk = package.Dotnet(dir, "build");
        junk.AssertExit(1);
        AssertOutput(junk, "model-audit error MA0000: " + model);
    }

    [Fact]
    public void Build_BaselineProperty_IsAnInput()
    {
        var dir = Project("baseline");
        var baseline = Path.Combine(dir, "last-report.json");
        package.Dotnet(dir, "build").AssertExit(0);
        File.Copy(Path.Combine(dir, "obj", "model-audit", "report.json"), baseline);
        Touch(baseline);
        var withBaseline = package.Dotnet(dir, "build", "-v:n", $"-p:ModelAuditBaseline={baseline}");
        withBaseline.AssertExit(0);
        AssertOutput(withBaseline, "model-audit inputs: ");
        AssertOutput(withBaseline, ", " + baseline);
        // The baseline is newer than the stamp: the audit ran against it.
        AssertOutput(withBaseline, "model-audit: ");
        var again = package.Dotnet(dir, "build", "-v:n", $"-p:ModelAuditBaseline={baseline}");
        AssertOutput(again, "Skipping target \"ModelAudit\" because all output files are up-to-date");
    }
}
