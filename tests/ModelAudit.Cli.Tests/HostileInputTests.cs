using System.Diagnostics;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Cli.Tests;

/// <summary>
/// Hostile input at the command line: every bad input is exit 3 with exactly one line naming the file (and the
/// sample, line or JSON path), cancellation is exit 130 with one line, and nothing is left behind.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("cli-hostile").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static readonly string DigitsModel = CliHarness.Golden("digits_cnn", "model.onnx");
    private static readonly string DigitsInput = CliHarness.Golden("digits_cnn", "input.npy");
    private static readonly string DigitsTarget = CliHarness.Golden("digits_cnn", "target.npy");
    private static string DefaultSpec => Path.Combine(CliHarness.RepoRoot, "audit-configs", "digits.yaml");
    private static string Digits(string file) => Path.Combine(CliHarness.RepoRoot, "audit-configs", "digits", file);

    /// <summary>Asserts the exit code and that stderr is exactly one line, returning it.</summary>
    private static string OneLine((int Exit, string Out, string Err) result, int exit)
    {
        Assert.True(exit == result.Exit, $"exit {result.Exit}, stderr: {result.Err}");
        var lines = result.Err.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "stderr: " + result.Err);
        return lines[0];
    }

    private string Npy(string name, NpyArray array)
    {
        var path = Path.Combine(_temp, name);
        NpyFile.Write(path, array);
        return path;
    }

    private string Labels(string name, long[] values) => Npy(name, NpyArray.FromInt64(values, values.Length));

    private static long[] DigitsLabels() => NpyFile.Read(Digits("labels.npy")).ToInt64();

    private string Spec(string data, string analyses = "  conductance: { steps: 4 }\n", string name = "spec.yaml")
    {
        var path = Path.Combine(_temp, name);
        File.WriteAllText(path, $"model: '{Digits("model.onnx")}'\ndata:\n{data}analyses:\n{analyses}outputs: {{ dir: '{Path.Combine(_temp, "out")}' }}\n");
        return path;
    }

    private void AssertNoFilesBut(params string[] names)
        => Assert.Equal(names.Order(StringComparer.Ordinal), Directory.EnumerateFileSystemEntries(_temp, "*", SearchOption.AllDirectories)
            .Where(File.Exists).Select(Path.GetFileName).Order(StringComparer.Ordinal));

    // ---- 5: cancellation ----

    public static TheoryData<string[]> Commands => new()
    {
        { ["run", "SPEC", "--out", "OUT"] },
        { ["infer", "MODEL", "--input", "INPUT", "--output", "OUT/y.npy"] },
        { ["grad", "MODEL", "--input", "INPUT", "--target", "TARGET", "--layers", "input", "--dump", "OUT/g"] },
        { ["attribute", "MODEL", "--input", "INPUT", "--target", "TARGET", "--method", "conductance", "--layers", "/relu1/Relu_output_0", "--dump", "OUT/a"] },
        { ["analyze", "MODEL", "--input", "INPUT", "--json", "OUT/a.json"] },
        { ["nif", "MODEL", "--input", "INPUT", "--labels", "TARGET", "--layers", "/relu1/Relu_output_0", "--json", "OUT/n.json"] },
        { ["diff", "REPORT", "REPORT"] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Run_CancelledToken_Exit130OneLineNoFiles(string[] template)
    {
        var report = Path.Combine(_temp, "report.json");
        File.WriteAllText(report, "{}");
        var args = template.Select(a => a.Replace("SPEC", DefaultSpec, StringComparison.Ordinal).Replace("MODEL", DigitsModel, StringComparison.Ordinal)
            .Replace("INPUT", DigitsInput, StringComparison.Ordinal).Replace("TARGET", DigitsTarget, StringComparison.Ordinal)
            .Replace("REPORT", report, StringComparison.Ordinal).Replace("OUT", Path.Combine(_temp, "out"), StringComparison.Ordinal)).ToArray();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Equal("error: cancelled", OneLine(CliHarness.Run(cancelled.Token, args), 130));
        AssertNoFilesBut("report.json");
    }

    [Fact]
    public void Run_CancelledDuringDigitsAudit_Exit130WithinOneSecondNoReports()
    {
        var outDir = Path.Combine(_temp, "out");
        using var cancellation = new CancellationTokenSource();
        var sinceCancel = new Stopwatch();
        // Cancel from the progress line itself, as NIF (the longest stage) starts: no thread-pool wake-up to wait for
        // while the audit keeps every core busy.
        using var output = new WatchingWriter("[nif] Neural information flow: started", () =>
        {
            sinceCancel.Start();
            cancellation.Cancel();
        });
        using var error = new WatchingWriter("\n", () => { });
        int exit = Program.Run(["run", DefaultSpec, "--out", outDir], output, error, cancellation.Token);
        var elapsed = sinceCancel.Elapsed;
        Assert.True(sinceCancel.IsRunning, $"the audit ended before it was cancelled: exit {exit}, stderr {error}");
        Assert.Equal("error: cancelled", OneLine((exit, output.ToString(), error.ToString()), 130));
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"took {elapsed.TotalSeconds:F2} s after cancelling");
        Assert.False(Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any());
    }

    // ---- 6: labels, targets and inputs checked at load ----

    [Theory]
    [InlineData(10L)]
    [InlineData(1L << 62)]
    [InlineData(-1L)]
    public void Analyze_LabelOutsideClasses_Exit3NamesFileSampleAndRange(long label)
    {
        var values = DigitsLabels();
        values[3] = label;
        var labels = Labels("y.npy", values);
        var line = OneLine(CliHarness.Run("analyze", DigitsModel, "--input", DigitsInput, "--labels", labels, "--steps", "0"), 3);
        Assert.Equal($"error: {labels}: label {label} of sample 3 is outside [0, 10)", line);
    }

    [Fact]
    public void Attribute_TargetClassOutsideClasses_Exit3()
    {
        var line = OneLine(CliHarness.Run("attribute", DigitsModel, "--input", DigitsInput, "--target-class", "77", "--method", "integrated-gradients",
            "--dump", Path.Combine(_temp, "d")), 3);
        Assert.Equal("error: --target-class 77 is outside [0, 10) (the model has 10 classes)", line);
        AssertNoFilesBut();
    }

    [Fact]
    public void Attribute_TargetFileOutsideClasses_Exit3()
    {
        var values = NpyFile.Read(DigitsTarget).ToInt64();
        values[9] = 1L << 62;
        var target = Labels("t.npy", values);
        var line = OneLine(CliHarness.Run("attribute", DigitsModel, "--input", DigitsInput, "--target", target, "--method", "integrated-gradients",
            "--dump", Path.Combine(_temp, "d")), 3);
        Assert.Equal($"error: {target}: target {1L << 62} of sample 9 is outside [0, 10)", line);
    }

    [Fact]
    public void Run_SpecLabelOutsideClasses_Exit3BeforeCompute()
    {
        var values = DigitsLabels();
        values[63] = 10;
        var labels = Labels("y.npy", values);
        var spec = Spec($"  inputs: '{Digits("input.npy")}'\n  labels: '{labels}'\n");
        Assert.Equal($"error: {labels}: label 10 of sample 63 is outside [0, 10)", OneLine(CliHarness.Run("run", spec, "--quiet"), 3));
        AssertNoFilesBut("spec.yaml", "y.npy");
    }

    [Fact]
    public void Run_CsvLabelOutsideClasses_Exit3()
    {
        var csv = Path.Combine(_temp, "iris.csv");
        var lines = File.ReadAllLines(Path.Combine(CliHarness.RepoRoot, "audit-configs", "iris", "iris.csv"));
        var header = lines[0].Split(',');
        int labelColumn = Array.IndexOf(header, "species");
        var row = lines[5].Split(',');
        row[labelColumn] = "5";
        lines[5] = string.Join(',', row);
        File.WriteAllLines(csv, lines);
        var spec = Path.Combine(_temp, "iris.yaml");
        File.WriteAllText(spec, $"model: '{Path.Combine(CliHarness.RepoRoot, "audit-configs", "iris", "model.onnx")}'\ndata:\n  inputs: '{csv}'\n  label_column: species\nanalyses:\n  conductance: {{ steps: 4 }}\n");
        Assert.Equal($"error: {csv}: label 5 of sample 4 is outside [0, 3)", OneLine(CliHarness.Run("run", spec, "--quiet", "--out", Path.Combine(_temp, "o")), 3));
    }

    private string IrisSpec(string csv, string analyses = "  conductance: { steps: 2 }\n")
    {
        var spec = Path.Combine(_temp, "iris.yaml");
        File.WriteAllText(spec, $"model: '{Path.Combine(CliHarness.RepoRoot, "audit-configs", "iris", "model.onnx")}'\ndata:\n  inputs: '{csv}'\n  label_column: species\nanalyses:\n{analyses}");
        return spec;
    }

    [Fact]
    public void Run_CsvHeaderOnly_Exit3NoSamples()
    {
        // Found by the fuzz tests: exit 1 ("The batch size must be at least 1").
        var csv = Path.Combine(_temp, "iris.csv");
        File.WriteAllText(csv, File.ReadLines(Path.Combine(CliHarness.RepoRoot, "audit-configs", "iris", "iris.csv")).First() + "\n");
        Assert.Equal($"error: {csv}: the file holds no samples", OneLine(CliHarness.Run("run", IrisSpec(csv), "--quiet", "--out", Path.Combine(_temp, "o")), 3));
    }

    [Fact]
    public void Run_GaussianWithSingletonClass_Exit3AtTheEstimator()
    {
        // Found by the fuzz tests: exit 1 ("Class 0 has 1 sample; a covariance needs two").
        var csv = Path.Combine(_temp, "iris.csv");
        var lines = File.ReadAllLines(Path.Combine(CliHarness.RepoRoot, "audit-configs", "iris", "iris.csv"));
        File.WriteAllLines(csv, lines.Take(1).Concat(lines.Skip(1).Where(l => !l.EndsWith(",2", StringComparison.Ordinal)))
            .Append(lines.Skip(1).First(l => l.EndsWith(",2", StringComparison.Ordinal))));
        var spec = IrisSpec(csv, "  planes:\n    estimator: gaussian\n");
        Assert.Equal($"{spec}(7,16): error MA0001: 'analyses.planes.estimator' is gaussian, which needs at least 2 samples of every class; class 2 has 1 in {csv}",
            OneLine(CliHarness.Run("run", spec, "--quiet", "--out", Path.Combine(_temp, "o")), 3));
    }

    private string FirstSamples(int n)
    {
        var x = NpyFile.Read(DigitsInput);
        return Npy($"x{n}.npy", NpyArray.FromFloat32(x.ToFloat32()[..(n * 64)], n, 1, 8, 8));
    }

    [Theory]
    [InlineData("infer")]
    [InlineData("grad")]
    [InlineData("attribute")]
    public void Command_NoSamples_Exit3(string command)
    {
        var input = FirstSamples(0);
        var target = Labels("t.npy", []);
        string[] args = command switch
        {
            "infer" => ["infer", DigitsModel, "--input", input],
            "grad" => ["grad", DigitsModel, "--input", input, "--target", target, "--layers", "input", "--dump", Path.Combine(_temp, "d")],
            _ => ["attribute", DigitsModel, "--input", input, "--target-class", "1", "--method", "integrated-gradients", "--dump", Path.Combine(_temp, "d")],
        };
        Assert.Equal($"error: {input}: the file holds no samples", OneLine(CliHarness.Run(args), 3));
    }

    [Fact]
    public void Analyze_KsgWithTooFewSamples_Exit3()
        => Assert.Equal($"error: {FirstSamples(3)}: --estimator ksg needs more than 3 samples, got 3",
            OneLine(CliHarness.Run("analyze", DigitsModel, "--input", FirstSamples(3), "--estimator", "ksg", "--steps", "0"), 3));

    [Fact]
    public void Analyze_GaussianBootstrapResampleWithoutTwoOfAClass_WritesNullNotInfinity()
    {
        // Found by the fuzz run with seed 3 (exit 1: "infinity cannot be written as valid JSON"): two samples per class,
        // so most bootstrap resamples leave a class with one sample, where the Gaussian I(T;Y) is undefined. The spread
        // over the defined resamples is then undefined too, and is written as null.
        var labels = Labels("pairs.npy", [.. Enumerable.Range(0, 20).Select(i => (long)(i / 2))]);
        var json = Path.Combine(_temp, "a.json");
        var (exit, _, error) = CliHarness.Run("analyze", DigitsModel, "--input", FirstSamples(20), "--labels", labels, "--estimator", "gaussian",
            "--steps", "0", "--bootstrap", "2", "--json", json);
        Assert.True(exit == 0, error);
        var text = File.ReadAllText(json);
        Assert.DoesNotContain("Infinity", text, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", text, StringComparison.Ordinal);
        System.Text.Json.JsonDocument.Parse(text).Dispose();
    }

    [Fact]
    public void Analyze_GaussianWithSingletonClass_Exit3NamesLabelsAndClass()
    {
        var labels = Labels("y.npy", [.. DigitsLabels()[..3]]);
        var line = OneLine(CliHarness.Run("analyze", DigitsModel, "--input", FirstSamples(3), "--labels", labels, "--estimator", "gaussian", "--steps", "0"), 3);
        Assert.Matches($"^error: {System.Text.RegularExpressions.Regex.Escape(labels)}: --estimator gaussian needs at least 2 samples of every class; class [0-9] has 1$", line);
    }

    [Fact]
    public void Analyze_GaussianWithSingletonPredictedClass_Exit3()
    {
        // Found by the fuzz tests: without --labels, Y is the prediction, and a class predicted once gave exit 1.
        var input = FirstSamples(3);
        var line = OneLine(CliHarness.Run("analyze", DigitsModel, "--input", input, "--estimator", "gaussian", "--steps", "0"), 3);
        Assert.Matches($"^error: {System.Text.RegularExpressions.Regex.Escape(input)}: --estimator gaussian \\(Y = the model's predictions\\) needs at least 2 samples of every class; class [0-9] has 1$", line);
    }

    [Fact]
    public void Run_GaussianWithPredictedLabelsAndFewSamples_Exit3AtTheEstimator()
    {
        var spec = Spec($"  inputs: '{Digits("input.npy")}'\n  labels: predicted\n  samples: 3\n", "  planes:\n    estimator: gaussian\n");
        var line = OneLine(CliHarness.Run("run", spec, "--quiet"), 3);
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(spec)}\\(8,16\\): error MA0001: 'analyses.planes.estimator' is gaussian, which needs at least 2 samples of every class; class [0-9] has 1 in the model's predictions on ", line);
    }

    [Fact]
    public void Infer_NaNInput_Exit3NamesFirstBadSample()
    {
        var x = NpyFile.Read(DigitsInput);
        var values = x.ToFloat32();
        values[7 * 64 + 5] = float.NaN;
        values[9 * 64] = float.PositiveInfinity;
        var input = Npy("x.npy", NpyArray.FromFloat32(values, x.Shape));
        var line = OneLine(CliHarness.Run("infer", DigitsModel, "--input", input, "--output", Path.Combine(_temp, "y.npy")), 3);
        Assert.Equal($"error: {input}: sample 7 holds a NaN or infinite value (element {7 * 64 + 5}; float64 values beyond float32 count too); inputs must be finite", line);
        AssertNoFilesBut("x.npy");
    }

    [Theory]
    [InlineData("grad")]
    [InlineData("attribute")]
    [InlineData("analyze")]
    [InlineData("nif")]
    public void Command_InfiniteInput_Exit3(string command)
    {
        var x = NpyFile.Read(DigitsInput);
        var values = x.ToFloat32();
        values[2 * 64] = float.NegativeInfinity;
        var input = Npy("x.npy", NpyArray.FromFloat32(values, x.Shape));
        string[] args = command switch
        {
            "grad" => ["grad", DigitsModel, "--input", input, "--target", DigitsTarget, "--layers", "input", "--dump", Path.Combine(_temp, "d")],
            "attribute" => ["attribute", DigitsModel, "--input", input, "--target", DigitsTarget, "--method", "integrated-gradients", "--dump", Path.Combine(_temp, "d")],
            "nif" => ["nif", DigitsModel, "--input", input, "--labels", DigitsTarget, "--layers", "/relu1/Relu_output_0", "--json", Path.Combine(_temp, "n.json")],
            _ => ["analyze", DigitsModel, "--input", input, "--steps", "0"],
        };
        Assert.StartsWith($"error: {input}: sample 2 holds a NaN", OneLine(CliHarness.Run(args), 3), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_NaNInFloat64Data_Exit3()
    {
        var x = NpyFile.Read(Digits("input.npy"));
        var values = Array.ConvertAll(x.ToFloat32(), v => (double)v);
        values[64 * 11] = 1e300;
        var input = Npy("x.npy", new NpyArray(NpyDType.Float64, x.Shape, values));
        var spec = Spec($"  inputs: '{input}'\n  labels: '{Digits("labels.npy")}'\n");
        Assert.StartsWith($"error: {input}: sample 11 holds a NaN or infinite value", OneLine(CliHarness.Run("run", spec, "--quiet"), 3), StringComparison.Ordinal);
    }

    // ---- 10: option ranges ----

    [Theory]
    [InlineData("analyze", "--bootstrap", "-1", "--bootstrap must be between 0 and 10000, got -1")]
    [InlineData("analyze", "--steps", "-1", "--steps must be between 0 and 10000, got -1")]
    [InlineData("analyze", "--steps", "1000000000", "--steps must be between 0 and 10000, got 1000000000")]
    [InlineData("analyze", "--internal-batch-size", "100000", "--internal-batch-size must be between 0 and 65536, got 100000")]
    [InlineData("attribute", "--internal-batch-size", "-1", "--internal-batch-size must be between 0 and 65536, got -1")]
    [InlineData("attribute", "--steps", "1", "--steps must be between 2 and 10000, got 1")]
    [InlineData("analyze", "--steps", "x", "--steps must be an integer between 0 and 10000, got 'x'")]
    [InlineData("attribute", "--internal-batch-size", "2147483648", "--internal-batch-size must be between 0 and 65536, got 2147483648")]
    [InlineData("attribute", "--internal-batch-size", "1e3", "--internal-batch-size must be an integer between 0 and 65536, got '1e3'")]
    public void Command_OptionOutOfRange_UsageErrorExit3BeforeWork(string command, string option, string value, string message)
    {
        string[] args = command == "analyze"
            ? ["analyze", DigitsModel, "--input", DigitsInput, option, value]
            : ["attribute", DigitsModel, "--input", DigitsInput, "--target", DigitsTarget, "--method", "conductance", "--layers", "input", "--dump", Path.Combine(_temp, "d"), option, value];
        Assert.Equal($"error: {message} (see --help)", OneLine(CliHarness.Run(args), 3));
    }

    [Fact]
    public void Run_KsgNeighborsAboveSampleCount_Exit3AtTheOption()
    {
        var spec = Spec($"  inputs: '{Digits("input.npy")}'\n  labels: '{Digits("labels.npy")}'\n  samples: 20\n", "  planes:\n    estimator: ksg\n    ksg: { neighbors: 20 }\n");
        Assert.Equal($"{spec}(9,23): error MA0001: 'analyses.planes.ksg.neighbors' is 20, which needs at least 21 samples; the audit has 20 from {Digits("input.npy")}",
            OneLine(CliHarness.Run("run", spec, "--quiet"), 3));
    }

    [Fact]
    public void Run_StepsHuge_Exit3NotOutOfMemory()
    {
        var spec = Spec($"  inputs: '{Digits("input.npy")}'\n  labels: '{Digits("labels.npy")}'\n", "  conductance: { steps: 1000000000 }\n");
        Assert.Equal($"{spec}(6,25): error MA0001: 'analyses.conductance.steps' must be between 1 and 10000, got 1000000000", OneLine(CliHarness.Run("run", spec), 3));
    }

    // ---- 11: I/O errors ----

    [Fact]
    public void Infer_OutputIsAFolder_Exit3NoTempFiles()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_temp, "y.npy")).FullName;
        Assert.Equal($"error: {folder}: is a directory; give a file path", OneLine(CliHarness.Run("infer", DigitsModel, "--input", DigitsInput, "--output", folder), 3));
        Assert.Empty(Directory.EnumerateFiles(_temp, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Infer_OutputUnderUnwritableFolder_Exit3NamesPath()
    {
        if (!OperatingSystem.IsLinux()) return;
        // /proc refuses new entries even to root.
        var line = OneLine(CliHarness.Run("infer", DigitsModel, "--input", DigitsInput, "--output", "/proc/model-audit-test/y.npy"), 3);
        Assert.Contains("/proc/model-audit-test", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_OutNotCreatable_Exit3BeforeComputeNamesPath()
    {
        if (!OperatingSystem.IsLinux()) return;
        // /proc refuses new folders even to root (the tests may run as root, where chmod does not deny).
        var watch = Stopwatch.StartNew();
        var line = OneLine(CliHarness.Run("run", DefaultSpec, "--out", "/proc/model-audit-test/out"), 3);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains("/proc/model-audit-test", line, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"{watch.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void Run_OutIsAFile_Exit3BeforeCompute()
    {
        var file = Path.Combine(_temp, "out");
        File.WriteAllText(file, "x");
        var watch = Stopwatch.StartNew();
        Assert.Equal($"error: {file}: is a file; --out needs a folder", OneLine(CliHarness.Run("run", DefaultSpec, "--out", file), 3));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Run_ReportNameIsAFolder_Exit3BeforeComputeAndOldReportKept()
    {
        var outDir = Directory.CreateDirectory(Path.Combine(_temp, "out")).FullName;
        File.WriteAllText(Path.Combine(outDir, "report.json"), "old");
        Directory.CreateDirectory(Path.Combine(outDir, "junit.xml"));
        Assert.Equal($"error: {Path.Combine(outDir, "junit.xml")}: is a directory; give a file path", OneLine(CliHarness.Run("run", DefaultSpec, "--out", outDir), 3));
        Assert.Equal("old", File.ReadAllText(Path.Combine(outDir, "report.json")));
    }

    // ---- 1: the baseline is never overwritten, however it is spelled ----

    [Fact]
    public void Run_OutSymlinkToBaselineFolder_Exit3BaselineKept()
    {
        if (OperatingSystem.IsWindows()) return;
        var real = Directory.CreateDirectory(Path.Combine(_temp, "real")).FullName;
        var baseline = Path.Combine(real, "report.json");
        File.WriteAllText(baseline, "{}");
        var link = Path.Combine(_temp, "link");
        Directory.CreateSymbolicLink(link, real);
        Assert.Equal($"error: {baseline}: the output would overwrite the baseline; choose another --out folder",
            OneLine(CliHarness.Run("run", DefaultSpec, "--out", link, "--baseline", baseline), 3));
        var viaLink = Path.Combine(link, "report.json");
        Assert.Equal($"error: {viaLink}: the output would overwrite the baseline; choose another --out folder",
            OneLine(CliHarness.Run("run", DefaultSpec, "--out", real, "--baseline", viaLink), 3));
        Assert.Equal("{}", File.ReadAllText(baseline));
    }

    // ---- 12: baselines that are not reports ----

    [Theory]
    [InlineData("{\"schema_version\": 1, \"metrics\": {\"accuracy\": \"NaN\"}}", "$.layers: missing")]
    [InlineData("{\"schema_version\": \"1\"}", "$.schema_version: expected a 32-bit integer, got the string \"1\"")]
    [InlineData("{\"schema_version\": 1, \"layers\": [], \"metrics\": {\"accuracy\": 1e400}}", "$.metrics[\"accuracy\"]: expected a finite number or null, got the number 1e400")]
    public void Run_BaselineNotAReport_Exit3NamesFileAndJsonPathBeforeCompute(string json, string problem)
    {
        var baseline = Path.Combine(_temp, "b.json");
        File.WriteAllText(baseline, json);
        var watch = Stopwatch.StartNew();
        Assert.Equal($"error: {baseline}: not a valid model-audit report.json: {problem}",
            OneLine(CliHarness.Run("run", DefaultSpec, "--baseline", baseline, "--out", Path.Combine(_temp, "o")), 3));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Diff_DevZero_Exit3()
        => Assert.Equal("error: /dev/zero: is a character device, not a regular file", OneLine(CliHarness.Run("diff", "/dev/zero", "/dev/zero"), 3));

    // ---- 13 and non-regular files ----

    [Fact]
    public void Run_NulInSpecPath_Exit3()
        => Assert.Equal("error: argument 'a b.yaml' contains a NUL character", OneLine(CliHarness.Run("run", "a\0b.yaml"), 3));

    [Fact]
    public void Run_SpecIsFolderOrFifo_Exit3WithoutBlocking()
    {
        Assert.Equal($"{_temp}(1,1): error MA0001: is a directory, not a regular file", OneLine(CliHarness.Run("run", _temp), 3));
        if (!OperatingSystem.IsLinux()) return;
        var fifo = Path.Combine(_temp, "spec.yaml");
        using (var p = Process.Start("mkfifo", [fifo])) p.WaitForExit();
        Assert.Equal($"{fifo}(1,1): error MA0001: is a named pipe (FIFO), not a regular file", OneLine(CliHarness.Run("run", fifo), 3));
    }

    [Theory]
    [InlineData("/dev/zero", "is a character device, not a regular file")]
    [InlineData("FOLDER", "is a directory, not a regular file")]
    [InlineData("FIFO", "is a named pipe (FIFO), not a regular file")]
    public void Infer_InputNotRegular_Exit3(string input, string problem)
    {
        if (!OperatingSystem.IsLinux()) return;
        if (input == "FOLDER") input = _temp;
        if (input == "FIFO")
        {
            input = Path.Combine(_temp, "x.npy");
            using var p = Process.Start("mkfifo", [input]);
            p.WaitForExit();
        }
        Assert.Equal($"error: {input}: {problem}", OneLine(CliHarness.Run("infer", DigitsModel, "--input", input), 3));
    }

    [Fact]
    public void Init_DataIsAFolder_Exit3NothingWritten()
    {
        var spec = Path.Combine(_temp, "audit.yaml");
        Assert.Equal($"error: {_temp}: is a directory, not a regular file", OneLine(CliHarness.Run("init", DigitsModel, "--data", _temp, "--output", spec), 3));
        Assert.False(File.Exists(spec));
    }

    [Fact]
    public void Run_DeepYaml_Exit3OneLine()
    {
        var spec = Path.Combine(_temp, "deep.yaml");
        File.WriteAllText(spec, "model: m.onnx\nx: " + new string('[', 100_000) + new string(']', 100_000) + "\n");
        Assert.Equal($"{spec}(2,67): error MA0001: the YAML nests deeper than 64 levels", OneLine(CliHarness.Run("run", spec), 3));
    }

    [Fact]
    public void Run_HugeScalar_ErrorCut()
    {
        var spec = Path.Combine(_temp, "big.yaml");
        File.WriteAllText(spec, "model: m.onnx\nseed: " + new string('9', 900_000) + "\n");
        var line = OneLine(CliHarness.Run("run", spec), 3);
        Assert.Equal($"{spec}(2,7): error MA0001: 'seed' must be an integer between -2147483648 and 2147483647, got '{new string('9', 80)}... (900000 characters)'", line);
    }

    /// <summary>A thread-safe string writer that calls <c>seen</c> once, when its text first contains <c>needle</c>.</summary>
    private sealed class WatchingWriter(string needle, Action seen) : StringWriter
    {
        private readonly object _lock = new();
        private bool _seen;

        public override void Write(char value)
        {
            lock (_lock) base.Write(value);
            Check();
        }

        public override void Write(string? value)
        {
            lock (_lock) base.Write(value);
            Check();
        }

        public override void WriteLine(string? value)
        {
            lock (_lock) base.WriteLine(value);
            Check();
        }

        public override string ToString()
        {
            lock (_lock) return base.ToString();
        }

        private void Check()
        {
            lock (_lock)
            {
                if (_seen || !base.ToString().Contains(needle, StringComparison.Ordinal)) return;
                _seen = true;
            }
            seen();
        }
    }
}
