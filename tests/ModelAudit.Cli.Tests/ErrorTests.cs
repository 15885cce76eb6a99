using ModelAudit.Tensors.Io;

namespace ModelAudit.Cli.Tests;

/// <summary>Each error class: exit code 3 (or 130 when cancelled), one line on stderr naming the culprit, no files left behind.</summary>
public sealed class ErrorTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("cli-errors").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static readonly string DigitsModel = CliHarness.Golden("digits_cnn", "model.onnx");
    private static readonly string DigitsInput = CliHarness.Golden("digits_cnn", "input.npy");
    private static readonly string DigitsTarget = CliHarness.Golden("digits_cnn", "target.npy");

    private void AssertFailed((int Exit, string Out, string Err) result, int exit, string message)
    {
        Assert.Equal(exit, result.Exit);
        Assert.Equal($"error: {message}{Environment.NewLine}", result.Err);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp));
    }

    [Fact]
    public void Infer_IntegerInput_ErrorNamesFileExpectedAndActual()
        => AssertFailed(CliHarness.Run("infer", DigitsModel, "--input", DigitsTarget, "--dump", Path.Combine(_temp, "d")), 3,
            $"{DigitsTarget}: expected float32 input of rank 4 for 'input' [64,1,8,8], got int64 [64]");

    [Fact]
    public void Infer_MissingModel_ErrorNamesFile()
    {
        var missing = Path.Combine(_temp, "none.onnx");
        AssertFailed(CliHarness.Run("infer", missing, "--input", DigitsInput), 3, $"{missing}: file not found");
    }

    [Fact]
    public void Infer_UnsupportedOperators_ErrorListsThem()
    {
        var model = CliHarness.OnnxFixture("error_unsupported_ops.onnx");
        AssertFailed(CliHarness.Run("infer", model, "--input", DigitsInput), 3,
            $"{model}: unsupported operators at opset 13: NonMaxSuppression (2 nodes, first '/nms/NMS'), Loop (node 'loop_0')");
    }

    [Fact]
    public void Grad_UnknownLayer_ErrorListsCloseMatchesAndWritesNothing()
    {
        var result = CliHarness.Run("grad", DigitsModel, "--input", DigitsInput, "--target", DigitsTarget, "--layers", "input,/conv2/Conv_out", "--dump", Path.Combine(_temp, "g"));
        Assert.Equal(3, result.Exit);
        Assert.StartsWith("error: unknown layer '/conv2/Conv_out'; closest: /conv2/Conv_output_0", result.Err);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp));
    }

    [Fact]
    public void Grad_TargetOutOfRange_ErrorNamesTargetFile()
    {
        var target = Path.Combine(_temp, "t.npy");
        var values = NpyFile.Read(DigitsTarget).ToInt64();
        values[5] = 10;
        NpyFile.Write(target, NpyArray.FromInt64(values, values.Length));
        var result = CliHarness.Run("grad", DigitsModel, "--input", DigitsInput, "--target", target, "--layers", "input", "--dump", Path.Combine(_temp, "g"));
        Assert.Equal(3, result.Exit);
        Assert.Equal($"error: {target}: target 10 of sample 5 is outside [0, 10){Environment.NewLine}", result.Err);
        Assert.Equal(["t.npy"], Directory.EnumerateFileSystemEntries(_temp).Select(Path.GetFileName));
    }

    [Fact]
    public void Grad_MissingRequiredOption_UsageErrorExit3()
    {
        var result = CliHarness.Run("grad", DigitsModel, "--input", DigitsInput);
        Assert.Equal(3, result.Exit);
        Assert.StartsWith("error: Option '--target' is required.", result.Err);
        Assert.Single(result.Err.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Run_UnknownCommand_UsageErrorExit3()
        => Assert.Equal(3, CliHarness.Run("explode", DigitsModel).Exit);

    [Fact]
    public void Infer_BadNpy_ErrorNamesFile()
    {
        var bad = Path.Combine(_temp, "bad.npy");
        File.WriteAllText(bad, "not numpy");
        var result = CliHarness.Run("infer", DigitsModel, "--input", bad);
        Assert.Equal(3, result.Exit);
        Assert.Equal($"error: {bad}: not a .npy file (bad magic){Environment.NewLine}", result.Err);
    }

    [Fact]
    public void Infer_Cancelled_Exit130AndNoFiles()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        AssertFailed(CliHarness.Run(cancelled.Token, "infer", DigitsModel, "--input", DigitsInput, "--output", Path.Combine(_temp, "y.npy"), "--dump", Path.Combine(_temp, "d")),
            130, "cancelled");
    }

    [Fact]
    public void Infer_OutputFolderMissing_CreatesItAndWritesOnlyFinalFiles()
    {
        var result = CliHarness.Run("infer", DigitsModel, "--input", DigitsInput, "--dump", Path.Combine(_temp, "a", "d"), "--output", Path.Combine(_temp, "no", "y.npy"));
        Assert.Equal(0, result.Exit);
        Assert.Equal(["y.npy"], Directory.EnumerateFiles(Path.Combine(_temp, "no")).Select(Path.GetFileName));
        Assert.Equal(["d"], Directory.EnumerateDirectories(Path.Combine(_temp, "a")).Select(Path.GetFileName));
    }
}
