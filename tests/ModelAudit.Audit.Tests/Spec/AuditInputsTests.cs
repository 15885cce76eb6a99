using ModelAudit.Audit.Spec;

namespace ModelAudit.Audit.Tests.Spec;

public sealed class AuditInputsTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("inputs-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private AuditSpec Load(string labels, string? baseline) => AuditSpecLoader.Load(TestFiles.WriteSpec(_temp, $"""
        model: models/m.onnx
        data:
          inputs: data/x.npy
          labels: {labels}
        analyses:
          conductance: {"{}"}
        {(baseline is null ? "" : "baseline: " + baseline)}
        """));

    [Fact]
    public void Resolve_LabelsFileAndSpecBaseline_SpecModelDataLabelsBaselineAbsoluteInOrder()
    {
        var inputs = AuditInputs.Resolve(Load("data/y.npy", "../last/report.json"), baselineOption: null);
        Assert.Equal(
            [
                new AuditInput(AuditInputKind.Spec, Path.Combine(_temp, "spec.yaml")),
                new AuditInput(AuditInputKind.Model, Path.Combine(_temp, "models", "m.onnx")),
                new AuditInput(AuditInputKind.Data, Path.Combine(_temp, "data", "x.npy")),
                new AuditInput(AuditInputKind.Labels, Path.Combine(_temp, "data", "y.npy")),
                new AuditInput(AuditInputKind.Baseline, Path.GetFullPath(Path.Combine(_temp, "..", "last", "report.json"))),
            ],
            inputs);
    }

    [Fact]
    public void Resolve_BaselineOption_ReplacesSpecBaselineResolvedAgainstWorkingFolder()
    {
        var spec = Load("predicted", "spec-baseline.json");
        var inputs = AuditInputs.Resolve(spec, baselineOption: "given/report.json");
        Assert.Equal(new AuditInput(AuditInputKind.Baseline, Path.Combine(Environment.CurrentDirectory, "given", "report.json")), inputs[^1]);
        Assert.Single(inputs, i => i.Kind == AuditInputKind.Baseline);
        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "given", "report.json"), AuditInputs.BaselinePath(spec, "given/report.json"));
        Assert.Equal(Path.Combine(_temp, "spec-baseline.json"), AuditInputs.BaselinePath(spec, null));
    }

    [Fact]
    public void Resolve_PredictedLabelsNoBaseline_SpecModelDataOnly()
    {
        var inputs = AuditInputs.Resolve(Load("predicted", baseline: null), baselineOption: null);
        Assert.Equal([AuditInputKind.Spec, AuditInputKind.Model, AuditInputKind.Data], inputs.Select(i => i.Kind));
    }
}
