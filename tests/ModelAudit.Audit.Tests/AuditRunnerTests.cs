using ModelAudit.Analysis;
using ModelAudit.Analysis.Attribution;
using ModelAudit.Analysis.Information;
using ModelAudit.Audit.Model;
using ModelAudit.Audit.Running;
using ModelAudit.Audit.Spec;
using ModelAudit.Estimators;
using ModelAudit.Onnx;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Audit.Tests;

public sealed class AuditRunnerTests : IDisposable
{
    private static readonly string[] Relu = ["/relu1/Relu_output_0", "/relu2/Relu_output_0", "/relu3/Relu_output_0"];

    private readonly string _temp = Directory.CreateTempSubdirectory("runner-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private AuditReport RunSpec(string body) => RunYaml(TestFiles.DigitsHeader + body);

    private AuditReport RunYaml(string yaml)
    {
        var spec = AuditSpecLoader.Load(TestFiles.WriteSpec(_temp, yaml));
        return new AuditRunner(spec, NoProgress.Instance, "test").Run(null);
    }

    [Fact]
    public void Run_Accuracy_MatchesPyTorchLogitsArgMax()
    {
        var report = RunSpec("analyses:\n  planes: { bootstrap: 0 }\n");
        var logits = NpyFile.Read(TestFiles.DigitsFixture("output.npy")).ToFloat32();
        var labels = NpyFile.Read(TestFiles.DigitsFixture("labels.npy")).ToInt64();
        var predicted = AttributionTarget.Predicted(logits, 10);
        double expected = labels.Zip(predicted).Count(p => p.First == p.Second) / (double)labels.Length;
        Assert.Equal(expected, report.Metrics.Value("accuracy"));
        Assert.Equal(Relu, report.Layers.Select(l => l.Name));
        Assert.Equal(["early", "intermediate", "deep"], report.Layers.Select(l => l.Group));
    }

    [Theory]
    [InlineData("gausslegendre", 20)]
    [InlineData("riemann_trapezoid", 16)]
    public void Run_Conductance_ShareAndDeltaMatchCaptum(string method, int steps)
    {
        var report = RunSpec($"analyses:\n  conductance: {{ method: {method}, steps: {steps} }}\n");
        // Captum LayerConductance per layer (tests/fixtures/captum_reference.py), targets = labels, baseline 0.
        var magnitude = new double[3];
        var delta = new double[3];
        var heat = new List<double>[3];
        for (int l = 0; l < 3; l++)
        {
            var stem = $"conductance_{method}_{steps}_L{l}__relu{l + 1}_Relu_output_0";
            var c = NpyFile.Read(TestFiles.DigitsFixture("attributions", stem + ".npy"));
            var values = c.ToFloat32();
            magnitude[l] = values.Sum(v => Math.Abs((double)v)) / c.Shape[0];
            delta[l] = NpyFile.Read(TestFiles.DigitsFixture("attributions", stem + "_delta.npy")).ToFloat32().Max(v => Math.Abs((double)v));
            int units = c.Shape.Length >= 3 ? c.Shape[1] : c.Shape[^1];
            int per = values.Length / (c.Shape[0] * units);
            heat[l] = [.. Enumerable.Range(0, units).Select(u => Enumerable.Range(0, c.Shape[0]).Sum(i => Enumerable.Range(0, per).Sum(k => Math.Abs((double)values[(i * units + u) * per + k]))) / (c.Shape[0] * per))];
        }
        var expectedShare = magnitude.Select(m => m / magnitude.Sum()).ToList();
        var actualShare = Relu.Select(l => report.Metrics.Value("conductance.share", l)!.Value).ToList();
        Assert.True(TestFiles.RelativeError(expectedShare, actualShare) < 1e-4, $"share {string.Join(",", actualShare)} vs Captum {string.Join(",", expectedShare)}");
        // Deltas are differences of nearly equal sums: compared at 2e-3 of the largest.
        var actualDelta = Relu.Select(l => report.Metrics.Value("conductance.delta", l)!.Value).ToList();
        Assert.True(TestFiles.RelativeError(delta, actualDelta) < 2e-3, $"delta {string.Join(",", actualDelta)} vs Captum {string.Join(",", delta)}");
        for (int l = 0; l < 3; l++)
            Assert.True(TestFiles.RelativeError(heat[l], report.Conductance!.Heatmap[l].Value) < 1e-4, $"heat map of layer {l}");
    }

    [Fact]
    public void Run_PlanesAndIte_EqualInformationAnalysis()
    {
        var report = RunSpec("seed: 3\nanalyses:\n  conductance: { steps: 10 }\n  planes: { estimator: renyi, bootstrap: 4 }\n  ite: {}\n");
        var session = new OnnxSession(OnnxModel.Load(TestFiles.DigitsFixture("model.onnx")));
        using var x = session.InputFrom(NpyFile.Read(TestFiles.DigitsFixture("input.npy")), "x");
        var labels = NpyFile.Read(TestFiles.DigitsFixture("labels.npy")).ToInt64();
        var expected = new InformationAnalysis(new OnnxDifferentiableModel(session), new RenyiEstimator(),
            new InformationAnalysisOptions(new PathIntegralOptions(Steps: 10), Plane: new InformationPlaneOptions(4, 3, NullShuffles: 10), Seed: 3)).Run(x, labels, Relu);
        for (int l = 0; l < 3; l++)
        {
            var p = expected.Layers[l];
            var layer = Relu[l];
            Assert.Equal(p.InputActivation.Value, report.Metrics.Value("plane.activation.i_xt", layer)!.Value, 12);
            Assert.Equal(p.ActivationLabel.Value, report.Metrics.Value("plane.activation.i_ty", layer)!.Value, 12);
            Assert.Equal(p.Entropy, report.Metrics.Value("plane.activation.entropy", layer)!.Value, 12);
            Assert.Equal(p.InputActivation.Spread, report.Planes!.Points[l].InputActivation.Spread, 12);
            // Conductance computed in chunks of 8 samples here, in one sweep there: float sums may differ in the last bits.
            Assert.True(Math.Abs(p.InputConductance!.Value.Value - report.Metrics.Value("plane.conductance.i_xc", layer)!.Value) < 1e-4);
            Assert.True(Math.Abs(p.ConductanceLabel!.Value.Value - report.Metrics.Value("plane.conductance.i_cy", layer)!.Value) < 1e-4);
            var e = expected.Efficiency[l];
            Assert.Equal(e.Efficiency, report.Metrics.Value("ite.efficiency", layer));
            Assert.Equal(e.Compression, report.Metrics.Value("ite.compression", layer));
            Assert.Equal(e.Preservation, report.Metrics.Value("ite.preservation", layer));
            Assert.Equal(e.Usefulness, report.Metrics.Value("ite.usefulness", layer));
        }
        Assert.Equal(expected.DpiFindings.Count, report.Metrics.Value("dpi.violations"));
        Assert.Equal(expected.Groups.Select(g => g.Name), report.Planes!.Groups.Select(g => g.Name));
    }

    [Fact]
    public void Run_SameSpecTwice_IdenticalMetrics()
    {
        const string body = "seed: 5\ndata:\n  inputs: INPUT\n  labels: LABELS\n  samples: 40\nanalyses:\n  conductance: { steps: 8 }\n  planes: { estimator: kde, bootstrap: 3, reduction: random_projection, projection_dimensions: 8 }\n  ite: {}\n";
        var yaml = $"model: '{TestFiles.DigitsFixture("model.onnx")}'\n" + body.Replace("INPUT", $"'{TestFiles.DigitsFixture("input.npy")}'", StringComparison.Ordinal)
            .Replace("LABELS", $"'{TestFiles.DigitsFixture("labels.npy")}'", StringComparison.Ordinal);
        var path = TestFiles.WriteSpec(_temp, yaml);
        var a = new AuditRunner(AuditSpecLoader.Load(path), NoProgress.Instance, "t").Run(null);
        var b = new AuditRunner(AuditSpecLoader.Load(path), NoProgress.Instance, "t").Run(null);
        Assert.Equal(40, a.Samples);
        Assert.Equal(a.Metrics.Entries().ToList(), b.Metrics.Entries().ToList());
    }

    [Fact]
    public void Run_LayerEntries_GlobOpTypeAndExact()
    {
        var report = RunSpec("layers: ['op:MaxPool', '/relu?/*', '/fc1/Gemm_output_0']\nanalyses:\n  planes: { bootstrap: 0 }\n");
        Assert.Equal(["/relu1/Relu_output_0", "/pool/MaxPool_output_0", "/relu2/Relu_output_0", "/fc1/Gemm_output_0", "/relu3/Relu_output_0"],
            report.Layers.Select(l => l.Name));
        Assert.Equal([8, 4, 4], report.Layers[1].Shape);
    }

    [Fact]
    public void Run_UnknownLayer_SpecErrorAtEntry()
    {
        var e = Assert.Throws<AuditSpecException>(() => RunSpec("layers:\n  - /relu1/Relu_output_0\n  - /nope\nanalyses:\n  planes: {}\n"));
        Assert.Equal((7, 5), (e.Mark.Line, e.Mark.Column));
        Assert.StartsWith("layer entry '/nope' matches no layer of the model", e.Message);
    }

    [Fact]
    public void Run_GateSelectorMatchesNoLayer_SpecErrorAtGate()
    {
        var e = Assert.Throws<AuditSpecException>(() => RunSpec("analyses:\n  planes: {}\ngates:\n  - metric: plane.activation.i_ty[/fc9/x]\n    direction: higher_is_better\n    min: 0\n"));
        Assert.Equal((8, 5), (e.Mark.Line, e.Mark.Column));
        Assert.StartsWith("the selector [/fc9/x] of 'plane.activation.i_ty[/fc9/x]' matches none of the analysed layers", e.Message);
    }

    [Fact]
    public void Sample_SeededSubset_SortedDistinctAndStable()
    {
        var a = Data.AuditData.Sample(64, 10, 7);
        Assert.Equal(a, Data.AuditData.Sample(64, 10, 7));
        Assert.Equal(10, a.Distinct().Count());
        Assert.Equal(a.Order(), a);
        Assert.NotEqual(a, Data.AuditData.Sample(64, 10, 8));
        Assert.Equal(Enumerable.Range(0, 64), Data.AuditData.Sample(64, null, 7));
    }

    [Fact]
    public void Run_Preprocessing_ScaleMeanStdAppliedBeforeTheModel()
    {
        // scale 2, mean 1, std 2 gives (2x - 1) / 2 = x - 0.5: the accuracy must equal the model's on x - 0.5.
        var shifted = NpyFile.Read(TestFiles.DigitsFixture("input.npy")).ToFloat32().Select(v => v - 0.5f).ToArray();
        var path = Path.Combine(_temp, "shifted.npy");
        NpyFile.Write(path, NpyArray.FromFloat32(shifted, 64, 1, 8, 8));
        var session = new OnnxSession(OnnxModel.Load(TestFiles.DigitsFixture("model.onnx")));
        using var x = session.InputFrom(NpyFile.Read(path), path);
        var logits = session.Run(x, [])[0].Value;
        var labels = NpyFile.Read(TestFiles.DigitsFixture("labels.npy")).ToInt64();
        double expected = labels.Zip(AttributionTarget.Predicted(logits.Span, 10)).Count(p => p.First == p.Second) / 64.0;
        var report = RunYaml($"model: '{TestFiles.DigitsFixture("model.onnx")}'\n" + "data:\n  inputs: INPUT\n  labels: LABELS\n  preprocessing: { scale: 2, mean: [1], std: 2 }\nanalyses:\n  planes: { bootstrap: 0 }\n"
            .Replace("INPUT", $"'{TestFiles.DigitsFixture("input.npy")}'", StringComparison.Ordinal).Replace("LABELS", $"'{TestFiles.DigitsFixture("labels.npy")}'", StringComparison.Ordinal));
        Assert.Equal(expected, report.Metrics.Value("accuracy"));
        Assert.NotEqual(1.0, expected);
    }

    [Fact]
    public void StarterSpec_DigitsModel_LoadsAndListsReluLayers()
    {
        var specPath = Path.Combine(_temp, "starter.yaml");
        File.WriteAllText(specPath, StarterSpec.Create(TestFiles.DigitsFixture("model.onnx"), TestFiles.DigitsFixture("input.npy"), TestFiles.DigitsFixture("labels.npy"), specPath, dataSamples: 64));
        var spec = AuditSpecLoader.Load(specPath);
        Assert.Equal(Relu, spec.Layers.Entries.Select(e => e.Pattern));
        Assert.Equal(["conductance", "planes", "ite", "nif"], spec.Analyses);
        Assert.Equal(["accuracy", "mean(ite.efficiency[*])", "max(conductance.share[*])", "dpi.violations", "nif.dead_units"], spec.Gates.Select(g => g.Metric.ToString()));
    }

    [Fact]
    public void Run_IrisCsvConfig_MatchesTheStandardisedFixture()
    {
        // audit-configs/iris/iris.csv holds the raw measurements (fixture * scale + mean, 6 decimals); the spec
        // standardises them back, so accuracy and the planes must match a run on the standardised fixture.
        var csv = new AuditRunner(AuditSpecLoader.Load(Path.Combine(TestFiles.AuditConfigs, "iris-csv.yaml")), NoProgress.Instance, "t").Run(null);
        var iris = Path.Combine(TestFiles.RepoRoot, "tests", "fixtures", "iris_mlp");
        var npy = RunYaml($"model: '{Path.Combine(iris, "model.onnx")}'\ndata: {{ inputs: '{Path.Combine(iris, "input.npy")}', labels: '{Path.Combine(iris, "labels.npy")}' }}\n" +
            "layers: ['/fc1/Gemm_output_0', op:Relu]\nanalyses:\n  conductance: { steps: 32 }\n  planes: { estimator: renyi, reduction: none }\n");
        Assert.Equal(npy.Metrics.Value("accuracy"), csv.Metrics.Value("accuracy"));
        Assert.Equal(["/fc1/Gemm_output_0", "/relu1/Relu_output_0"], csv.Layers.Select(l => l.Name));
        foreach (var e in npy.Metrics.Entries().Where(e => e.Family.StartsWith("plane.", StringComparison.Ordinal) || e.Family == "conductance.share"))
        {
            double expected = e.Value!.Value, actual = csv.Metrics.Value(e.Family, e.Layer)!.Value;
            Assert.True(Math.Abs(expected - actual) < 1e-3 * Math.Max(1, Math.Abs(expected)), $"{e}: {expected} vs {actual}");
        }
    }
}
