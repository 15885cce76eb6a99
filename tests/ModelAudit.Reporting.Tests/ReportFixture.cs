using ModelAudit.Audit.Gates;
using ModelAudit.Audit.Metrics;
using ModelAudit.Audit.Model;
using ModelAudit.Audit.Running;
using ModelAudit.Audit.Spec;
using ModelAudit.Audit.Yaml;

namespace ModelAudit.Reporting.Tests;

/// <summary>Reports to render: the shipped digits audit (run once per test class) and synthetic ones.</summary>
public sealed class ReportFixture
{
    public ReportFixture()
    {
        Digits = RunDigits();
    }

    public AuditReport Digits { get; }

    public static string RepoRoot { get; } = FindRoot();

    public static string DigitsSpec => Path.Combine(RepoRoot, "audit-configs", "digits.yaml");

    public static AuditReport RunDigits(BaselineReport? baseline = null)
        => new AuditRunner(AuditSpecLoader.Load(DigitsSpec), NoProgress.Instance, "dotnet-model-audit test").Run(baseline);

    /// <summary>A report with <paramref name="layers"/> layers, every section, and the given gate outcomes.</summary>
    public static AuditReport Synthetic(int layers, params GateStatus[] gates)
    {
        var names = Enumerable.Range(0, layers).Select(i => $"/block{i / 4}/layer{i}/Relu_output_0").ToList();
        var metrics = new MetricTable();
        var random = new Random(1);
        foreach (var n in names)
        {
            metrics.Set("conductance.share", n, 1.0 / layers);
            metrics.Set("plane.activation.i_xt", n, random.NextDouble() * 6);
            metrics.Set("ite.efficiency", n, random.NextDouble());
        }
        metrics.Set("dpi.violations", null, 2);
        var points = names.Select((n, i) => new PlanePoint(n, "channel-mean", 5, new PlaneValue(6 - i * 0.1, 0.05), new PlaneValue(1 + i * 0.05, 0.02),
            new PlaneValue(5 - i * 0.1, 0.05), new PlaneValue(1.5 + i * 0.03, 0.02))).ToList();
        var gateResults = gates.Select((s, i) => new GateResult(
            new GateSpec(new MetricExpression("dpi.violations", null, null), MetricDirection.LowerIsBetter, null, 1, null,
                s == GateStatus.Warn ? GateSeverity.Warning : GateSeverity.Error, new SourceMark(20 + i, 5)),
            2, null, s, s == GateStatus.Pass ? "ok" : $"gate {i}: 2 is above max 1, 50% worse")).ToList();
        return new AuditReport
        {
            ToolVersion = "dotnet-model-audit test",
            SpecFile = "specs/synthetic.yaml",
            ResolvedSpec = [new("model", "/m.onnx")],
            Model = new FileDigest("/m.onnx", new string('a', 64)),
            Data = new FileDigest("/x.npy", new string('b', 64)),
            Seed = 0,
            Samples = 64,
            LabelSource = "labels",
            Layers = [.. names.Select((n, i) => new AuditLayer(n, "Relu", [64, 8, 8])
            {
                Group = i < layers / 3 ? "early" : i < 2 * layers / 3 ? "intermediate" : "deep",
                Metrics = [.. metrics.LayerFamilies.Select(f => new MetricReading(f, metrics.Value(f, n), null, MetricStatus.NoBaseline))],
            })],
            Scalars = [.. metrics.Scalars.Select(s => new MetricReading(s.Key, s.Value, null, MetricStatus.NoBaseline))],
            Metrics = metrics,
            Analyses = ["conductance", "planes", "ite"],
            Planes = new PlaneSection("renyi", points, [new GroupRow("early", names)], [new DpiRow("i_ty", names[0], names[^1], 1, 2, 0.5)]),
            Efficiency = [.. names.Select(n => new EfficiencyRow(n, 0.1, 0.5, null, 0.3, ["usefulness: undefined"]))],
            Conductance = new ConductanceSection("gausslegendre", 50, [.. names.Select(n => KeyValuePair.Create(n, 1.0 / layers))],
                [.. names.Select(n => KeyValuePair.Create(n, 0.01))], [.. names.Select(n => KeyValuePair.Create(n, (IReadOnlyList<double>)[.. Enumerable.Range(0, 64).Select(u => u / 64.0)]))]),
            Graph = new GraphSection([.. Enumerable.Range(0, 40).Select(i => new GraphNode(i, i / 10, $"n{i}", i % 7, i % 3))],
                [.. Enumerable.Range(0, 30).Select(i => new GraphEdge(i, i + 10, i % 5 + 0.5))],
                [.. Enumerable.Range(0, 10).Select(i => (IReadOnlyList<double>)[.. Enumerable.Range(0, 10).Select(j => (double)(i * j))])]),
            Gates = gateResults,
            Timings = [new("total", 1.25)],
        };
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Audit.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Audit.sln not found above " + AppContext.BaseDirectory);
    }
}
