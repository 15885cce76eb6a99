using ModelAudit.Analysis;
using ModelAudit.Onnx;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Nif.Tests;

/// <summary>Conv layers on the digits_cnn fixture: one node per channel valued by its spatial mean.</summary>
public class ConvolutionNodesTests
{
    private static string Digits(string file) => TestPaths.Fixture("digits_cnn", file);

    [Fact]
    public void Run_ConvRelu_ChannelNodesWithSpatialMeansOfThePyTorchActivations()
    {
        var session = new OnnxSession(OnnxModel.Load(Digits("model.onnx")));
        var input = NpyFile.Read(Digits("input.npy"));
        int samples = input.Shape[0];
        var model = new ModelExecution(session);
        int rows = model.ChunkRows(samples);
        var plan = model.GetPlan(rows);
        int id = model.Resolve(plan, "/relu1/Relu_output_0");
        var shape = plan.Graph.Values[id].Shape;
        var layer = new NodeLayer("/relu1/Relu_output_0", id, shape[1], samples) { SpatialSize = shape[2] * shape[3] };
        model.ForEachChunk(input.ToFloat32(), 0, samples, rows, ChunkPadding.RepeatLastSample, chunk =>
        {
            using var pass = chunk.Forward([id]);
            layer.Add(pass[id].Span, chunk.First, chunk.Count);
        }, null, CancellationToken.None);

        // Golden: the PyTorch activation (tests/fixtures/digits_cnn/activations), averaged over positions in double.
        var golden = NpyFile.Read(Digits("activations/002_relu1_Relu_output_0.npy")).ToFloat32();
        int channels = shape[1], spatial = shape[2] * shape[3];
        for (int n = 0; n < samples; n++)
            for (int c = 0; c < channels; c++)
            {
                double mean = 0;
                for (int p = 0; p < spatial; p++) mean += golden[(n * channels + c) * spatial + p];
                mean /= spatial;
                Assert.True(Math.Abs(layer.Columns[c][n] - mean) <= 1e-5 * Math.Max(1, Math.Abs(mean)), $"sample {n} channel {c}: {layer.Columns[c][n]} vs {mean} (tol 1e-5)");
            }
    }

    [Fact]
    public void Run_DigitsConvLayers_EveryActiveChannelConnectedAndFlowsFinite()
    {
        var session = new OnnxSession(OnnxModel.Load(Digits("model.onnx")));
        var input = NpyFile.Read(Digits("input.npy"));
        var labels = NpyFile.Read(Digits("labels.npy")).ToInt64().Select(v => (int)v).ToArray();
        var result = NifAnalysis.Run(session, input.ToFloat32(), input.Shape[0], labels,
            new NifOptions { Layers = ["/relu1/Relu_output_0", "/relu2/Relu_output_0"], Estimator = FlowEstimator.Ksg, CompareAttributions = false });
        Assert.Equal(["input", "/relu1/Relu_output_0", "/relu2/Relu_output_0", "logits"], result.LayerNames);
        Assert.Equal(1 + 8 + 16 + 10, result.Nodes.Count);
        // Input (1 channel) -> conv1 channels: a channel is connected iff its ReLU opens somewhere (all 8 do, per the golden).
        Assert.Equal(8, result.LayerPairs[0].Edges);
        Assert.All(result.Edges, e => Assert.True(double.IsFinite(e.Flow) && e.Flow >= 0));
        Assert.Equal(1.0, result.Pruning!.AccuracyBefore);
    }
}
