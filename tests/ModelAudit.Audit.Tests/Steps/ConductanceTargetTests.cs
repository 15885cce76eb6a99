using ModelAudit.Audit.Model;
using ModelAudit.Audit.Running;
using ModelAudit.Audit.Spec;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Audit.Tests.Steps;

/// <summary>
/// <c>analyses.conductance.target_axis / target_reduce / from_layer</c> through the whole audit, against the PyTorch
/// goldens of tests/fixtures/generate_target_fixtures.py (Captum's conductance with a reduced target, and from the
/// embedding of a token model). Shares compared at 1e-4 relative, deltas at 2e-3 of the largest (differences of
/// nearly equal sums), as the digits audit test does.
/// </summary>
public sealed class ConductanceTargetTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("conductance-target-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string Fixture(string model, string file) => Path.Combine(TestFiles.RepoRoot, "tests", "fixtures", model, file);

    private AuditReport Run(string model, string conductance, string[] layers, string labels = "target.npy")
    {
        var yaml = $"""
            model: '{Fixture(model, "model.onnx")}'
            data:
              inputs: '{Fixture(model, "input.npy")}'
              labels: '{Fixture(model, labels)}'
            layers: [{string.Join(", ", layers.Select(l => $"'{l}'"))}]
            analyses:
              conductance: {conductance}

            """;
        return new AuditRunner(AuditSpecLoader.Load(TestFiles.WriteSpec(_temp, yaml)), NoProgress.Instance, "test").Run(null);
    }

    private static void AssertShares(AuditReport report, string model, (string Layer, string Golden)[] layers)
    {
        var magnitude = layers.Select(l =>
        {
            var c = NpyFile.Read(Fixture(model, l.Golden));
            return c.ToFloat32().Sum(v => Math.Abs((double)v)) / c.Shape[0];
        }).ToList();
        var expected = magnitude.Select(m => m / magnitude.Sum()).ToList();
        var actual = layers.Select(l => report.Metrics[$"conductance.share[{l.Layer}]"]!.Value).ToList();
        Assert.True(TestFiles.RelativeError(expected, actual) < 1e-4, $"share {string.Join(",", actual)} vs torch {string.Join(",", expected)}");
    }

    [Fact]
    public void Run_SequenceOutputTargetAxisLast_SharesMatchTorch()
    {
        string[] layers = ["/lin1/Add_output_0", "/relu/Relu_output_0"];
        var report = Run("seq_tc", "{ steps: 20, target_axis: -1, target_reduce: sum }", layers);
        AssertShares(report, "seq_tc", [(layers[0], "cond_lin1.npy"), (layers[1], "cond_relu.npy")]);
    }

    [Fact]
    public void Run_TokenIdsFromTheEmbedding_SharesAndDeltaMatchTorch()
    {
        string[] layers = ["/lin1/Add_output_0", "/relu/Relu_output_0"];
        var report = Run("text_embed", "{ steps: 20, from_layer: /emb/Gather_output_0 }", layers);
        AssertShares(report, "text_embed", [(layers[0], "cond_lin1.npy"), (layers[1], "cond_relu.npy")]);
        var difference = NpyFile.Read(Fixture("text_embed", "difference.npy")).ToFloat32();
        var cond = NpyFile.Read(Fixture("text_embed", "cond_relu.npy"));
        var values = cond.ToFloat32();
        int per = values.Length / cond.Shape[0];
        double delta = Enumerable.Range(0, cond.Shape[0]).Max(i => Math.Abs(values.Skip(i * per).Take(per).Sum(v => (double)v) - difference[i]));
        double actual = report.Metrics[$"conductance.delta[{layers[1]}]"]!.Value;
        Assert.True(Math.Abs(delta - actual) <= 2e-3 * Math.Max(1e-3, difference.Max(MathF.Abs)), $"delta {actual} vs torch {delta}");
    }

    [Fact]
    public void Run_TargetAxisIsTheBatch_OneLineError()
    {
        var e = Assert.ThrowsAny<Exception>(() => Run("seq_tc", "{ steps: 4, target_axis: 0 }", ["/relu/Relu_output_0"]));
        Assert.Contains("batch axis", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
