using ModelAudit.Audit.Running;
using ModelAudit.Audit.Spec;

namespace ModelAudit.Audit.Tests.Spec;

public sealed class SpecReferenceTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("reference-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static readonly string Page = SpecReference.Text();

    [Fact]
    public void TopLevel_SameKeysAndOrderAsTheLoader()
        => Assert.Equal(AuditSpecLoader.TopLevelKeys, SpecReference.TopLevel.Select(r => r.Key));

    [Fact]
    public void Text_EveryRegisteredAnalysis_ListedWithTheParsersDefaults()
    {
        foreach (var step in AuditStepRegistry.Default.Steps) Assert.Contains($"\n  {step.Key}: {step.Title}\n", Page, StringComparison.Ordinal);
        // The defaults are the option parsers' own, e.g. conductance steps from OptionRanges.
        Assert.Contains($"  conductance: Layer conductance\n    method: gausslegendre\n    steps: {OptionRanges.ConductanceSteps.Default}\n", Page, StringComparison.Ordinal);
        Assert.Contains($"    bootstrap: {OptionRanges.Bootstrap.Default}\n", Page, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_MetricsOfTheCatalog_EachFamilyOnItsOwnLine()
    {
        foreach (var family in new[] { "accuracy", "conductance.share", "ite.efficiency", "dpi.violations", "nif.modularity", "plane.activation.i_xt" })
            Assert.Matches($"\n  {System.Text.RegularExpressions.Regex.Escape(family)} +(scalar|per layer) ", Page);
    }

    [Fact]
    public void Text_EveryNumericRange_ListedOnce()
    {
        var ranges = SpecReference.Ranges().ToList();
        Assert.Equal(typeof(OptionRanges).GetFields().Length, ranges.Count);
        Assert.Contains("  steps                  conductance steps          between 1 and 10000, default 50\n", Page, StringComparison.Ordinal);
        Assert.Contains("  samples                samples                    between 1 and 10000000\n", Page, StringComparison.Ordinal);
    }

    [Fact]
    public void DocumentedDataGateAndOutputKeys_AllAcceptedByTheLoader()
    {
        // A key the page names but the loader rejects would fail here with "unknown key".
        var data = SpecReference.Data.Select(r => r.Key).ToHashSet();
        Assert.Equal(["inputs", "key", "labels", "label_column", "header", "samples", "preprocessing"], data);
        var csv = TestFiles.WriteSpec(_temp, """
            model: m.onnx
            data: { inputs: x.csv, label_column: species, header: true, samples: 2, preprocessing: { scale: 1, mean: [0], std: [1] } }
            analyses: { conductance: {} }
            gates:
              - { metric: accuracy, direction: higher_is_better, min: 0.5, max: 1, max_regression: { absolute: 0.1 }, severity: warning }
            outputs: { dir: o, html: true, markdown: false, junit: true }
            """, "csv.yaml");
        Assert.Equal(2, AuditSpecLoader.Load(csv).Data.Samples);
        var npz = TestFiles.WriteSpec(_temp, "model: m.onnx\ndata: { inputs: x.npz, key: x, labels: y.npy }\nanalyses: { ite: {}, planes: {} }\n", "npz.yaml");
        Assert.Equal("x", AuditSpecLoader.Load(npz).Data.NpzKey);
        Assert.Equal(["metric", "direction", "min", "max", "max_regression", "severity"], SpecReference.Gate.Select(r => r.Key));
        Assert.Equal(["dir", "html", "markdown", "junit"], SpecReference.Outputs.Select(r => r.Key));
    }
}
