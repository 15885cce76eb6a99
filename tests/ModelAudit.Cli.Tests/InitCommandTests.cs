using ModelAudit.Audit.Spec;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Cli.Tests;

/// <summary>init counts the samples, refuses missing files unless --allow-missing, and points at help spec; help spec prints the reference.</summary>
public sealed class InitCommandTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("init-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string Digits(string file) => Path.Combine(CliHarness.RepoRoot, "audit-configs", "digits", file);

    private static string Iris(string file) => Path.Combine(CliHarness.RepoRoot, "audit-configs", "iris", file);

    private string SpecPath => Path.Combine(_temp, "audit.yaml");

    [Fact]
    public void Init_DigitsData_SamplesAllSixtyFourAndCommentsPointAtHelpSpec()
    {
        var (exit, output, error) = CliHarness.Run("init", Digits("model.onnx"), "--data", Digits("input.npy"), "--labels", Digits("labels.npy"), "--output", SpecPath);
        Assert.Equal("", error);
        Assert.Equal(0, exit);
        Assert.Contains($"samples: all 64 in {Digits("input.npy")}", output, StringComparison.Ordinal);
        var text = File.ReadAllText(SpecPath);
        Assert.Contains("`dotnet model-audit help spec`", text, StringComparison.Ordinal);
        Assert.DoesNotContain("docs/", text, StringComparison.Ordinal);
        Assert.Equal(64, AuditSpecLoader.Load(SpecPath).Data.Samples);
    }

    [Fact]
    public void Init_ThreeHundredSamples_SamplesCappedAt256()
    {
        var data = Path.Combine(_temp, "many.npy");
        NpyFile.Write(data, NpyArray.FromFloat32(new float[300 * 64], 300, 1, 8, 8));
        var (exit, output, _) = CliHarness.Run("init", Digits("model.onnx"), "--data", data, "--output", SpecPath);
        Assert.Equal(0, exit);
        Assert.Contains($"samples: 256 of the 300 in {data}", output, StringComparison.Ordinal);
        Assert.Equal(256, AuditSpecLoader.Load(SpecPath).Data.Samples);
    }

    [Fact]
    public void Init_TwoRowCsvWithQuotedHeader_SamplesTwoInTheSpec()
    {
        // The issue's case: init wrote samples: 64 for a 2-sample file, and the run then failed.
        var lines = File.ReadAllLines(Iris("iris.csv"));
        var csv = Path.Combine(_temp, "two.csv");
        File.WriteAllLines(csv, ["\"sepal length, cm\",\"sepal width, cm\",petal_length,\"petal \"\"width\"\"\",species", .. lines.Skip(1).Take(2)]);
        var (exit, output, error) = CliHarness.Run("init", Iris("model.onnx"), "--data", csv, "--output", SpecPath);
        Assert.Equal("", error);
        Assert.Equal(0, exit);
        Assert.Contains($"samples: all 2 in {csv}", output, StringComparison.Ordinal);
        Assert.Equal(2, AuditSpecLoader.Load(SpecPath).Data.Samples);
    }

    [Fact]
    public void Init_DataMissing_Exit3OneLineNothingWritten_AllowMissingWritesItWithANote()
    {
        var data = Path.Combine(_temp, "later.npy");
        var (exit, output, error) = CliHarness.Run("init", Digits("model.onnx"), "--data", data, "--output", SpecPath);
        Assert.Equal(3, exit);
        Assert.Equal("", output);
        Assert.Equal($"error: {data}: file not found; pass --allow-missing to write a spec naming it anyway{Environment.NewLine}", error);
        Assert.False(File.Exists(SpecPath));

        (exit, output, error) = CliHarness.Run("init", Digits("model.onnx"), "--data", data, "--allow-missing", "--output", SpecPath);
        Assert.Equal("", error);
        Assert.Equal(0, exit);
        Assert.Contains($"note: {data} does not exist yet", output, StringComparison.Ordinal);
        var spec = AuditSpecLoader.Load(SpecPath);
        Assert.Equal(data, spec.Data.Inputs);
        Assert.Null(spec.Data.Samples);
    }

    [Fact]
    public void Init_LabelsMissing_Exit3()
    {
        var labels = Path.Combine(_temp, "none.npy");
        var (exit, _, error) = CliHarness.Run("init", Digits("model.onnx"), "--data", Digits("input.npy"), "--labels", labels, "--output", SpecPath);
        Assert.Equal(3, exit);
        Assert.Equal($"error: {labels}: file not found; pass --allow-missing to write a spec naming it anyway{Environment.NewLine}", error);
    }

    [Fact]
    public void Init_NoData_Exit3_AllowMissingWritesAPlaceholderAndSaysSo()
    {
        var (exit, _, error) = CliHarness.Run("init", Digits("model.onnx"), "--output", SpecPath);
        Assert.Equal(3, exit);
        Assert.StartsWith("error: init needs --data", error, StringComparison.Ordinal);
        Assert.False(File.Exists(SpecPath));

        (exit, var output, _) = CliHarness.Run("init", Digits("model.onnx"), "--allow-missing", "--output", SpecPath);
        Assert.Equal(0, exit);
        Assert.Contains("note: data.inputs is a placeholder", output, StringComparison.Ordinal);
        Assert.Contains("  inputs: inputs.npy            # PLACEHOLDER", File.ReadAllText(SpecPath), StringComparison.Ordinal);
    }

    [Fact]
    public void Help_Spec_PrintsTheGeneratedReferenceExit0()
    {
        var (exit, output, error) = CliHarness.Run("help", "spec");
        Assert.Equal("", error);
        Assert.Equal(0, exit);
        Assert.Equal(SpecReference.Text(), output);
        Assert.StartsWith("AUDIT SPEC REFERENCE", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_UnknownTopic_Exit3OneLine()
    {
        var (exit, _, error) = CliHarness.Run("help", "gates");
        Assert.Equal(3, exit);
        Assert.Equal($"error: no help topic 'gates'; topics: spec{Environment.NewLine}", error);
    }
}
