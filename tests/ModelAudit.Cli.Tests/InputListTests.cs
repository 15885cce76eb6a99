namespace ModelAudit.Cli.Tests;

/// <summary><c>run SPEC --list-inputs</c>: the files the MSBuild target uses as the audit's Inputs.</summary>
public sealed class InputListTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("input-list-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string Digits(string file) => Path.Combine(CliHarness.RepoRoot, "audit-configs", "digits", file);

    [Fact]
    public void Run_ListInputsShippedSpec_PrintsSpecModelDataLabelsOneALineExit0()
    {
        var spec = Path.Combine(CliHarness.RepoRoot, "audit-configs", "digits.yaml");
        var (exit, output, error) = CliHarness.Run("run", spec, "--list-inputs");
        Assert.Equal("", error);
        Assert.Equal(0, exit);
        Assert.Equal([spec, Digits("model.onnx"), Digits("input.npy"), Digits("labels.npy")], output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        // Nothing was computed or written: the spec's outputs.dir does not appear.
        Assert.False(Directory.Exists(Path.Combine(_temp, "audit-out")));
    }

    [Fact]
    public void Run_ListInputsWithBaselineOption_BaselineLastAsGiven()
    {
        var spec = Path.Combine(CliHarness.RepoRoot, "audit-configs", "digits.yaml");
        var baseline = Path.Combine(_temp, "last", "report.json");
        var (exit, output, _) = CliHarness.Run("run", spec, "--baseline", baseline, "--list-inputs");
        Assert.Equal(0, exit);
        Assert.Equal(baseline, output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries)[^1]);
    }

    [Fact]
    public void Run_ListInputsBrokenSpec_OneLineAtTheNodeExit3()
    {
        var spec = Path.Combine(_temp, "broken.yaml");
        File.WriteAllText(spec, "model: m.onnx\ndata:\n  inputs: x.txt\n  labels: predicted\nanalyses:\n  ite: {}\n");
        var (exit, output, error) = CliHarness.Run("run", spec, "--list-inputs");
        Assert.Equal(3, exit);
        Assert.Equal("", output);
        Assert.Equal($"{spec}(3,11): error MA0001: 'data.inputs' must be a .npy, .npz or .csv file, got 'x.txt'", error.TrimEnd());
    }
}
