using ModelAudit.Audit.Data;
using ModelAudit.Onnx;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Audit.Tests.Data;

/// <summary>The model's predictions as the data checks see them (labels: predicted).</summary>
public sealed class DataChecksTests
{
    [Fact]
    public void Predictions_DigitsModel_ArgMaxOfThePyTorchLogits()
    {
        var session = new OnnxSession(OnnxModel.Load(TestFiles.DigitsFixture("model.onnx")));
        using var inputs = NpyFile.Read(TestFiles.DigitsFixture("input.npy")).ToTensor();
        var logits = NpyFile.Read(TestFiles.DigitsFixture("output.npy")).ToFloat32();
        int classes = logits.Length / inputs.Shape[0];
        var expected = Enumerable.Range(0, inputs.Shape[0])
            .Select(i => (long)Array.IndexOf(logits, logits.AsSpan(i * classes, classes).ToArray().Max(), i * classes) - i * classes).ToArray();
        Assert.Equal(expected, DataChecks.Predictions(session, inputs));
    }

    [Fact]
    public void Predictions_ThousandSamplesInChunks_EqualOneBatchArgMax()
    {
        // 1,000 samples run in chunks of 128 with a padded last chunk; the padded rows must not reach the result.
        var folder = Path.Combine(TestFiles.AuditConfigs, "digits-large");
        var session = new OnnxSession(OnnxModel.Load(Path.Combine(folder, "model.onnx")));
        using var inputs = NpyFile.Read(Path.Combine(folder, "input.npy")).ToTensor();
        Assert.Equal(1000, inputs.Shape[0]);
        var outputs = session.Run(inputs, []);
        var logits = outputs[0].Value.ToArray();
        foreach (var (_, t) in outputs) t.Dispose();
        var expected = Enumerable.Range(0, 1000).Select(i => (long)Array.IndexOf(logits, logits.AsSpan(i * 10, 10).ToArray().Max(), i * 10) - i * 10).ToArray();
        Assert.Equal(expected, DataChecks.Predictions(session, inputs));
    }
}
