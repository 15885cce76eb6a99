using ModelAudit.Audit.Metrics;
using ModelAudit.Audit.Spec;

namespace ModelAudit.Audit.Tests;

public sealed class SpecLoaderTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("spec-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private AuditSpecException LoadError(string yaml)
    {
        var path = TestFiles.WriteSpec(_temp, yaml);
        return Assert.Throws<AuditSpecException>(() => AuditSpecLoader.Load(path));
    }

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

    [Fact]
    public void Load_Minimal_FillsDefaultsAndResolvesPathsAgainstSpecFolder()
    {
        var spec = AuditSpecLoader.Load(TestFiles.WriteSpec(_temp, Minimal));
        Assert.Equal(Path.Combine(_temp, "m.onnx"), spec.Model);
        Assert.Equal(Path.Combine(_temp, "x.npy"), spec.Data.Inputs);
        Assert.Equal(Path.Combine(_temp, "y.npy"), spec.Data.Labels);
        Assert.Equal(0, spec.Seed);
        Assert.True(spec.Layers.Auto);
        Assert.Equal(["conductance", "planes", "ite"], spec.Analyses);
        Assert.Equal(Path.Combine(_temp, "audit-out"), spec.Outputs.Directory);
        var resolved = spec.Resolved().ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("50", resolved["analyses.conductance.steps"]);
        Assert.Equal("gausslegendre", resolved["analyses.conductance.method"]);
        Assert.Equal("renyi", resolved["analyses.planes.estimator"]);
        Assert.Equal("channel_mean", resolved["analyses.planes.reduction"]);
    }

    [Fact]
    public void Load_UnknownTopLevelKey_ErrorAtKeyListsAllowedKeys()
    {
        var e = LoadError("model: m.onnx\nmodle: x\n");
        Assert.Equal(new Yaml.SourceMark(2, 1), e.Mark);
        Assert.Equal($"{Path.Combine(_temp, "spec.yaml")}(2,1): error MA0001: unknown key 'modle' in the spec; allowed keys: model, seed, data, layers, analyses, gates, baseline, outputs", e.Diagnostic);
    }

    [Fact]
    public void Load_UnknownNestedKey_NamesTheMappingAndAllowedKeys()
    {
        var e = LoadError(Minimal.Replace("  conductance: {}", "  conductance:\n    stepz: 3", StringComparison.Ordinal));
        Assert.Equal(7, e.Mark.Line);
        Assert.Equal(5, e.Mark.Column);
        Assert.Equal("unknown key 'stepz' in 'analyses.conductance'; allowed keys: method, steps, baseline, target, internal_batch_size, target_axis, target_reduce, from_layer", e.Message);
    }

    [Fact]
    public void Load_UnknownEnumValue_ListsAllowedValues()
    {
        var e = LoadError(Minimal.Replace("  planes: {}", "  planes:\n    estimator: histogram", StringComparison.Ordinal));
        Assert.Equal((8, 16), (e.Mark.Line, e.Mark.Column));
        Assert.Equal("'analyses.planes.estimator' must be one of binning, kde, ksg, gaussian, renyi; got 'histogram'", e.Message);
    }

    [Fact]
    public void Load_DuplicateKey_PointsAtSecondOccurrence()
    {
        var e = LoadError("model: a.onnx\nseed: 1\nmodel: b.onnx\n");
        Assert.Equal((3, 1), (e.Mark.Line, e.Mark.Column));
        Assert.Equal("duplicate key 'model' (first at line 1)", e.Message);
    }

    [Fact]
    public void Load_WrongType_SaysWhatWasExpected()
    {
        var e = LoadError(Minimal.Replace("  conductance: {}", "  conductance:\n    steps: many", StringComparison.Ordinal));
        Assert.Equal((7, 12), (e.Mark.Line, e.Mark.Column));
        Assert.Equal("'analyses.conductance.steps' must be an integer between 1 and 10000, got 'many'", e.Message);
        var list = LoadError("model: [a, b]\n");
        Assert.Equal("'model' must be a scalar, got a list", list.Message);
    }

    [Fact]
    public void Load_MissingRequiredKey_NamesIt()
    {
        var e = LoadError("data:\n  inputs: x.npy\n  labels: predicted\nanalyses: { planes: {} }\n");
        Assert.Equal("'model' is required", e.Message);
        var gate = LoadError(Minimal + "\ngates:\n  - metric: accuracy\n    min: 0.5\n");
        Assert.Equal((10, 5), (gate.Mark.Line, gate.Mark.Column));
        Assert.Equal("'gates[0].direction' is required: higher_is_better or lower_is_better", gate.Message);
    }

    [Fact]
    public void Load_GateMetricNoAnalysisProduces_ErrorBeforeCompute()
    {
        var e = LoadError(Minimal.Replace("\n  ite: {}", "", StringComparison.Ordinal) + "\ngates:\n  - metric: min(ite.efficiency[*])\n    direction: higher_is_better\n    min: 0.1\n");
        Assert.Equal((9, 13), (e.Mark.Line, e.Mark.Column));
        Assert.StartsWith("no configured analysis produces metric 'ite.efficiency'; available: accuracy, conductance.delta, conductance.share, dpi.violations,", e.Message);
        var nif = LoadError(Minimal + "\ngates:\n  - metric: nif.modularity\n    direction: higher_is_better\n    min: 0.1\n");
        Assert.StartsWith("no configured analysis produces metric 'nif.modularity'", nif.Message);
    }

    [Fact]
    public void Load_ConductancePlaneMetricWithoutConductance_IsUnknown()
    {
        var e = LoadError("model: m.onnx\ndata: { inputs: x.npy, labels: y.npy }\nanalyses: { planes: {} }\ngates:\n  - metric: plane.conductance.i_cy[a]\n    direction: higher_is_better\n    min: 1\n");
        Assert.StartsWith("no configured analysis produces metric 'plane.conductance.i_cy'", e.Message);
    }

    [Fact]
    public void Load_AccuracyWithPredictedLabels_IsUnknown()
    {
        var e = LoadError("model: m.onnx\ndata: { inputs: x.npy, labels: predicted }\nanalyses: { planes: {} }\ngates:\n  - metric: accuracy\n    direction: higher_is_better\n    min: 1\n");
        Assert.StartsWith("no configured analysis produces metric 'accuracy'", e.Message);
    }

    [Theory]
    [InlineData("ite.efficiency", "'ite.efficiency' is per layer; add a selector")]
    [InlineData("ite.efficiency[/a/*]", "the selector [/a/*] can match several layers; give an aggregate")]
    [InlineData("dpi.violations[x]", "'dpi.violations' is not per layer; remove the selector [x]")]
    [InlineData("ite efficiency", "'ite efficiency' is not a metric name")]
    public void Load_BadSelector_Explains(string metric, string expectedStart)
    {
        var e = LoadError(Minimal + $"\ngates:\n  - metric: '{metric}'\n    direction: higher_is_better\n    min: 0\n");
        Assert.StartsWith(expectedStart, e.Message);
    }

    [Fact]
    public void Load_AggregateKeyOrSyntax_GiveSameExpression()
    {
        var spec = AuditSpecLoader.Load(TestFiles.WriteSpec(_temp, Minimal + """

            gates:
              - metric: conductance.share[/layer4/*]
                aggregate: max
                direction: lower_is_better
                max: 0.5
              - metric: max(conductance.share[/layer4/*])
                direction: lower_is_better
                max_regression: { absolute: 0.1, relative: 0.2 }
                severity: warning
            """));
        Assert.Equal(new MetricExpression("conductance.share", "/layer4/*", MetricAggregate.Max), spec.Gates[0].Metric);
        Assert.Equal(spec.Gates[0].Metric, spec.Gates[1].Metric);
        Assert.Equal((10, 5), (spec.Gates[0].Mark.Line, spec.Gates[0].Mark.Column));
        Assert.Equal(new RegressionLimit(0.1, 0.2), spec.Gates[1].MaxRegression);
        Assert.Equal(GateSeverity.Warning, spec.Gates[1].Severity);
        Assert.Equal(MetricDirection.LowerIsBetter, spec.Gates[1].Direction);
    }

    [Fact]
    public void Load_GateWithoutChecks_IsError()
    {
        var e = LoadError(Minimal + "\ngates:\n  - metric: accuracy\n    direction: higher_is_better\n");
        Assert.Equal("gates[0] checks nothing; give min, max or max_regression", e.Message);
    }

    [Fact]
    public void Load_IteWithoutPlanes_IsErrorAtIteNamingBothSteps()
    {
        var e = LoadError("model: m.onnx\ndata: { inputs: x.npy, labels: y.npy }\nanalyses:\n  conductance: {}\n  ite: {}\n");
        Assert.Equal("'analyses.ite' needs 'analyses.planes' (ite reads the PlanesOutput that planes produces)", e.Message);
        // The position of ite's options: line 5, column 8.
        Assert.Equal((5, 8), (e.Mark.Line, e.Mark.Column));
    }

    [Fact]
    public void Load_EstimatorSectionForOtherEstimator_IsError()
    {
        var e = LoadError(Minimal.Replace("  planes: {}", "  planes:\n    estimator: kde\n    binning: { bins: 10 }", StringComparison.Ordinal));
        Assert.Equal("'analyses.planes.binning' is given but the estimator is 'kde'; remove it or set estimator: binning", e.Message);
    }

    [Fact]
    public void Load_InvalidYaml_ReportsPosition()
    {
        var e = LoadError("model: m.onnx\ndata: [a,\n");
        Assert.StartsWith("invalid YAML: ", e.Message);
        Assert.True(e.Mark.Line >= 2, $"line {e.Mark.Line}");
    }

    [Fact]
    public void Load_EveryShippedConfig_IsValid()
    {
        var files = Directory.GetFiles(TestFiles.AuditConfigs, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count >= 3, $"{files.Count} configs");
        foreach (var file in files)
        {
            var spec = AuditSpecLoader.Load(file);
            Assert.True(File.Exists(spec.Model), $"{file}: model {spec.Model}");
            Assert.True(File.Exists(spec.Data.Inputs), $"{file}: data {spec.Data.Inputs}");
        }
    }

    [Fact]
    public void Load_ShippedConfigs_UseEveryDocumentedKey()
    {
        var text = string.Join("\n", Directory.GetFiles(TestFiles.AuditConfigs, "*.yaml", SearchOption.AllDirectories).Select(File.ReadAllText));
        string[] keys =
        [
            "model:", "seed:", "data:", "inputs:", "key:", "labels:", "label_column:", "header:", "samples:", "preprocessing:", "scale:", "mean:", "std:",
            "layers:", "analyses:", "conductance:", "method:", "steps:", "baseline:", "target:", "internal_batch_size:", "planes:", "estimator:",
            "binning:", "bins:", "range:", "kde:", "noise_variance:", "ksg:", "neighbors:", "renyi:", "alpha:", "sigma:", "reduction:",
            "projection_dimensions:", "bootstrap:", "ite:", "weights:", "compression:", "preservation:", "usefulness:", "gates:", "metric:",
            "aggregate:", "direction:", "min:", "max:", "max_regression:", "absolute:", "relative:", "severity:", "outputs:", "dir:", "html:",
            "markdown:", "junit:", "bin_size:", "nif:", "beta:", "resolution:", "length:", "max_mine_edges:", "null_pairs:",
            "target_axis:", "target_reduce:", "from_layer:",
        ];
        var missing = keys.Where(k => !text.Contains(k, StringComparison.Ordinal)).ToList();
        Assert.Empty(missing);
    }
}
