using System.Diagnostics;
using ModelAudit.Audit.Spec;

namespace ModelAudit.Audit.Tests;

/// <summary>Hostile specs: deep nesting, huge files and scalars, NUL paths, non-regular files, options out of range.</summary>
public sealed class SpecHostileInputTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("spec-hostile").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private const string Minimal = """
        model: m.onnx
        data:
          inputs: x.npy
          labels: y.npy
        analyses:
          conductance: {}
          planes: {}
          ite: {}
        """;

    private AuditSpecException LoadError(string yaml)
    {
        var path = TestFiles.WriteSpec(_temp, yaml);
        return Assert.Throws<AuditSpecException>(() => AuditSpecLoader.Load(path));
    }

    [Fact]
    public void Load_DeepBlockNesting_ErrorAtDepthLimitNotStackOverflow()
    {
        // "- - - x" nests block sequences on one line: 10^4 levels in 20 kB.
        var e = LoadError("model: m.onnx\nx:\n" + string.Concat(Enumerable.Repeat("- ", 10_000)) + "1\n");
        Assert.Equal($"the YAML nests deeper than {Yaml.YamlTreeReader.MaxDepth} levels", e.Message);
        Assert.Equal(new Yaml.SourceMark(3, 1 + 2 * (Yaml.YamlTreeReader.MaxDepth - 1)), e.Mark);
    }

    [Fact]
    public void Load_DeepFlowNesting_ErrorWithLineAndColumn()
    {
        var e = LoadError("model: m.onnx\nx: " + new string('[', 100_000) + new string(']', 100_000) + "\n");
        Assert.Equal($"the YAML nests deeper than {Yaml.YamlTreeReader.MaxDepth} levels", e.Message);
        Assert.Equal(new Yaml.SourceMark(2, 3 + Yaml.YamlTreeReader.MaxDepth), e.Mark);
    }

    [Fact]
    public void Load_NestingAtTheLimit_IsNotADepthError()
    {
        // 63 flow levels under the root mapping: accepted by the reader (then refused as an unknown key).
        var e = LoadError(Minimal + "\nx: " + new string('[', 63) + new string(']', 63) + "\n");
        Assert.StartsWith("unknown key 'x'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnclosedFlowBeforeBlockMapping_InvalidYamlNotInternalError()
    {
        // Found by the fuzz tests: YamlDotNet's scanner throws InvalidOperationException here.
        var e = LoadError("model: m.onnx\npreprocessing: [unclosed\ndata:\n  inputs: x.npy\n");
        Assert.StartsWith("invalid YAML", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OverOneMebibyte_RefusedBeforeParsing()
    {
        var path = Path.Combine(_temp, "big.yaml");
        File.WriteAllText(path, Minimal + "\n# " + new string('x', AuditSpecLoader.MaxSpecBytes) + "\n");
        var e = Assert.Throws<AuditSpecException>(() => AuditSpecLoader.Load(path));
        Assert.Equal($"{path}(1,1): error MA0001: {new FileInfo(path).Length} bytes is more than the limit of {AuditSpecLoader.MaxSpecBytes} bytes", e.Diagnostic);
    }

    [Fact]
    public void Load_TwoMegabyteScalar_EchoCutTo80Characters()
    {
        var e = LoadError(Minimal.Replace("conductance: {}", "conductance: { method: " + new string('q', 900_000) + " }", StringComparison.Ordinal));
        Assert.StartsWith("'analyses.conductance.method' must be one of gausslegendre,", e.Message, StringComparison.Ordinal);
        Assert.EndsWith($"got '{new string('q', 80)}... (900000 characters)'", e.Message, StringComparison.Ordinal);
        Assert.True(e.Diagnostic.Length < 400, e.Diagnostic.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Load_MultiLineScalarInError_DiagnosticIsOneLine()
    {
        var e = LoadError(Minimal.Replace("conductance: {}", "conductance: { method: \"a\\nb\\rc\" }", StringComparison.Ordinal));
        Assert.EndsWith("got 'a\\nb\\rc'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Diagnostic);
        Assert.DoesNotContain('\r', e.Diagnostic);
    }

    [Fact]
    public void Load_NulInModelPath_ErrorAtTheNode()
    {
        var e = LoadError(Minimal.Replace("model: m.onnx", "model: \"m\\0.onnx\"", StringComparison.Ordinal));
        Assert.Equal(new Yaml.SourceMark(1, 8), e.Mark);
        Assert.Equal("'model' contains a NUL character: 'm\\u0000.onnx'", e.Message);
    }

    [Fact]
    public void Load_InvalidUtf8_Refused()
    {
        var path = Path.Combine(_temp, "bad.yaml");
        File.WriteAllBytes(path, [.. "model: "u8.ToArray(), 0xC3, 0x28, (byte)'\n']);
        var e = Assert.Throws<AuditSpecException>(() => AuditSpecLoader.Load(path));
        Assert.StartsWith("the spec is not valid UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Directory_RefusedAsNotAFile()
    {
        var e = Assert.Throws<AuditSpecException>(() => AuditSpecLoader.Load(_temp));
        Assert.Equal($"{_temp}(1,1): error MA0001: is a directory, not a regular file", e.Diagnostic);
    }

    [Fact]
    public void Load_DevZero_RefusedAsDevice()
    {
        if (!OperatingSystem.IsLinux()) return;
        var e = Assert.Throws<AuditSpecException>(() => AuditSpecLoader.Load("/dev/zero"));
        Assert.Equal("is a character device, not a regular file", e.Message);
    }

    [Fact]
    public void Load_Fifo_RefusedWithoutBlocking()
    {
        if (!OperatingSystem.IsLinux()) return;
        var fifo = Path.Combine(_temp, "spec.yaml");
        using (var mkfifo = Process.Start("mkfifo", [fifo])) mkfifo.WaitForExit();
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<AuditSpecException>(() => AuditSpecLoader.Load(fifo));
        Assert.Equal("is a named pipe (FIFO), not a regular file", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("conductance: { steps: 1000000000 }", "'analyses.conductance.steps' must be between 1 and 10000, got 1000000000")]
    [InlineData("conductance: { steps: 0 }", "'analyses.conductance.steps' must be between 1 and 10000, got 0")]
    [InlineData("conductance: { steps: 1e9 }", "'analyses.conductance.steps' must be an integer between 1 and 10000, got '1e9'")]
    [InlineData("conductance: { steps: 99999999999999999999 }", "'analyses.conductance.steps' must be an integer between 1 and 10000, got '99999999999999999999'")]
    [InlineData("conductance: { internal_batch_size: -1 }", "'analyses.conductance.internal_batch_size' must be between 0 and 65536, got -1")]
    [InlineData("conductance: { baseline: 1e300 }", "'analyses.conductance.baseline' must be a finite number >= -1E+30 and <= 1E+30, got 1E+300")]
    [InlineData("planes: { bootstrap: 10001 }", "'analyses.planes.bootstrap' must be between 0 and 10000, got 10001")]
    [InlineData("planes: { projection_dimensions: 5000 }", "'analyses.planes.projection_dimensions' must be between 1 and 4096, got 5000")]
    [InlineData("planes: { renyi: { sigma: 0 } }", "'analyses.planes.renyi.sigma' must be a finite number > 0 and <= 1E+06, got 0")]
    [InlineData("planes: { renyi: { alpha: .nan } }", "'analyses.planes.renyi.alpha' must be a number, got '.nan'")]
    [InlineData("planes: { renyi: { alpha: NaN } }", "'analyses.planes.renyi.alpha' must be a number, got 'NaN'")]
    [InlineData("planes: { estimator: binning, binning: { bins: 0 } }", "'analyses.planes.binning.bins' must be between 1 and 10000, got 0")]
    [InlineData("planes: { estimator: ksg, ksg: { neighbors: 5000 } }", "'analyses.planes.ksg.neighbors' must be between 1 and 1000, got 5000")]
    [InlineData("planes: { estimator: kde, kde: { noise_variance: -1 } }", "'analyses.planes.kde.noise_variance' must be a finite number > 0 and <= 1E+06, got -1")]
    public void Load_OptionOutOfRange_ErrorNamesKeyRangeAndValue(string analysis, string message)
    {
        var yaml = Minimal.Replace("  conductance: {}\n  planes: {}\n  ite: {}", "  " + analysis, StringComparison.Ordinal);
        Assert.Equal(message, LoadError(yaml).Message);
    }

    [Theory]
    [InlineData("  samples: 0\n", "'data.samples' must be between 1 and 10000000, got 0")]
    [InlineData("  preprocessing: { scale: 1e31 }\n", "'data.preprocessing.scale' must be a finite number >= -1E+30 and <= 1E+30, got 1E+31")]
    [InlineData("  preprocessing: { std: 0 }\n", "'data.preprocessing.std' must be a finite number > 0 and <= 1E+30, got 0")]
    public void Load_DataOptionOutOfRange_Error(string line, string message)
    {
        var yaml = Minimal.Replace("  labels: y.npy\n", "  labels: y.npy\n" + line, StringComparison.Ordinal);
        Assert.Equal(message, LoadError(yaml).Message);
    }

    [Fact]
    public void Load_NegativeRegression_Error()
    {
        var e = LoadError(Minimal + "\ngates:\n  - metric: accuracy\n    direction: higher_is_better\n    max_regression: { absolute: -1 }\n");
        Assert.Equal("'gates[0].max_regression.absolute' must be a finite number >= 0 and <= 1E+30, got -1", e.Message);
    }

    [Theory]
    [InlineData("/relu*/Relu_output_0", "/relu1/Relu_output_0", true)]
    [InlineData("*", "", true)]
    [InlineData("*", "/a/b", true)]
    [InlineData("?", "", false)]
    [InlineData("/relu?/*", "/relu12/x", false)]
    [InlineData("/a*b*c", "/aXbYc", true)]
    [InlineData("/a*b*c", "/aXbYcZ", false)]
    [InlineData("**a", "ba", true)]
    [InlineData("a*", "b", false)]
    public void GlobPattern_IsMatch_WholeNameWithStarAndQuestionMark(string pattern, string name, bool expected)
        => Assert.Equal(expected, GlobPattern.IsMatch(pattern, name));

    [Fact]
    public void GlobPattern_HostilePatternOnLongName_LinearTime()
    {
        var name = "/" + new string('a', 10_000);
        var watch = Stopwatch.StartNew();
        Assert.False(GlobPattern.IsMatch(string.Concat(Enumerable.Repeat("*a", 30)) + "z", name));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), watch.Elapsed.ToString());
        Assert.Empty(new Metrics.MetricExpression("x", "*a*a*a*a*a*a*a*z", null).Match([name]));
        Assert.Equal(["/aab"], new Metrics.MetricExpression("x", "*a*a*b", null).Match(["/ab", "/aab"]));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), watch.Elapsed.ToString());
    }

    [Fact]
    public void Load_KsgNeighbors_RequirementCarriedToTheData()
    {
        var path = TestFiles.WriteSpec(_temp, Minimal.Replace("  planes: {}", "  planes: { estimator: ksg, ksg: { neighbors: 500 } }", StringComparison.Ordinal));
        var spec = AuditSpecLoader.Load(path);
        Assert.Equal([new SampleRequirement(path, new Yaml.SourceMark(7, 47), "'analyses.planes.ksg.neighbors' is 500", 501)], spec.Data.Requirements);
    }
}
