using System.Text.Json.Nodes;

namespace ModelAudit.Cli.Tests;

/// <summary>The default audit's analyses at a real sample count: 256 of the 1,000 held-out digits (audit-configs/digits-large).</summary>
public sealed class LargeSampleTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("audit-large-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void Run_DigitsLarge256Samples_PassesWithFiniteValuesAndTheNullAboveChanceOnTrueLabels()
    {
        // 256 duplicated digits made the Renyi eigen solver throw before (QL non-convergence); these are 256 distinct
        // held-out digits drawn by the seed from 1,000, through every analysis with fewer conductance steps.
        string Large(string file) => Path.Combine(CliHarness.RepoRoot, "audit-configs", "digits-large", file);
        var spec = Path.Combine(_temp, "large.yaml");
        File.WriteAllText(spec, $"""
            model: '{Large("model.onnx")}'
            data:
              inputs: '{Large("input.npy")}'
              labels: '{Large("labels.npy")}'
              samples: 256
            analyses:
              conductance: {"{ steps: 8 }"}
              planes: {"{ bootstrap: 4, null_shuffles: 4 }"}
              ite: {"{}"}
              nif: {"{ max_units: 8 }"}
            gates:
              - metric: accuracy
                direction: higher_is_better
                min: 0.9
            """);
        var outDir = Path.Combine(_temp, "out");
        var (exit, _, error) = CliHarness.Run("run", spec, "--out", outDir, "--quiet");
        Assert.True(exit == 0, error);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")))!;
        Assert.Equal(256, report["samples"]!.GetValue<int>());
        var points = report["planes"]!["points"]!.AsArray();
        Assert.Equal(3, points.Count);
        Assert.All(points, p => Assert.True(double.IsFinite(p!["entropy"]!.GetValue<double>())));
        // The deepest layer carries the class far above the shuffled-label null on a 98%-accurate model.
        Assert.True(points[^1]!["i_ty_above_chance"]!.GetValue<bool>());
        // 256 samples for 10 classes is above the small-sample rule (10 per class, 5 in the smallest).
        Assert.DoesNotContain(report["warnings"]!.AsArray(), w => w!.GetValue<string>().StartsWith("small sample", StringComparison.Ordinal));
    }
}
