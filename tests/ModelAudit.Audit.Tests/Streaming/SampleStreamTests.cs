using ModelAudit.Analysis;
using ModelAudit.Analysis.Attribution;
using ModelAudit.Analysis.Information;
using ModelAudit.Audit.Model;
using ModelAudit.Audit.Running;
using ModelAudit.Audit.Streaming;
using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Audit.Tests.Streaming;

public sealed class SampleStreamTests
{
    private static readonly string[] Relu = ["/relu1/Relu_output_0", "/relu2/Relu_output_0", "/relu3/Relu_output_0"];

    private static (ModelExecution Model, Tensor Inputs, long[] Labels, IReadOnlyList<AuditLayer> Layers) Digits()
    {
        var session = new OnnxSession(OnnxModel.Load(TestFiles.DigitsFixture("model.onnx")));
        var model = new ModelExecution(session);
        var inputs = NpyFile.Read(TestFiles.DigitsFixture("input.npy")).ToTensor();
        var labels = NpyFile.Read(TestFiles.DigitsFixture("labels.npy")).ToInt64();
        var layers = LayerResolver.Candidates(session.Model, inputs.Shape[0]).Where(c => Relu.Contains(c.Name)).ToList();
        return (model, inputs, labels, layers);
    }

    private static StreamLayout Layout(IReadOnlyList<AuditLayer> layers, TensorShape sampleShape, RepresentationReduction reduction, int samples)
        => StreamLayout.Create(layers, sampleShape, reduction, projectionDimensions: 8, seed: 3, conductance: true, samples);

    private static StreamConductance Conductance => new(new PathIntegralOptions(IntegrationMethod.GaussLegendre, 8), 0f, PredictedTarget: false);

    private static StepProgress Progress(IAuditProgress? sink = null) => new(sink ?? NoProgress.Instance, "stream", "test", 64);

    [Theory]
    [InlineData(RepresentationReduction.ChannelMean)]
    [InlineData(RepresentationReduction.RandomProjection)]
    public void Run_ChunksOf1And3And8_SameReductionsTo1e6(RepresentationReduction reduction)
    {
        var (model, inputs, labels, layers) = Digits();
        var layout = Layout(layers, model.SampleShape, reduction, inputs.Shape[0]);
        var results = new[] { 1, 3, 8 }.Select(chunk =>
            new SampleStream(model, layout.WithSamplesPerChunk(chunk), Conductance, 1000).Run(inputs, labels, 0, 64, Progress(), CancellationToken.None)).ToList();
        foreach (var other in results.Skip(1))
        {
            Assert.Equal(results[0].Predicted, other.Predicted);
            Assert.Equal(results[0].Input!.Values, other.Input!.Values);
            for (int l = 0; l < layers.Count; l++)
            {
                // The batch size of a pass follows the chunk, and the engine picks its GEMM path and tiling by batch size
                // (small batches take the small-GEMM path), so float sums may differ in the last bits: 1e-6 of the largest
                // value. Shards are whole chunks, so a sharded run is bit-identical to an unsharded one (ShardCommandTests).
                Close(results[0].Layers[l].Activations!.Values.Select(v => (double)v).ToArray(), other.Layers[l].Activations!.Values.Select(v => (double)v).ToArray());
                Close(results[0].Layers[l].Conductance!.Values.Select(v => (double)v).ToArray(), other.Layers[l].Conductance!.Values.Select(v => (double)v).ToArray());
                Close(results[0].Layers[l].ConductanceMagnitude!, other.Layers[l].ConductanceMagnitude!);
                Close(results[0].Layers[l].ConductanceUnitSums!, other.Layers[l].ConductanceUnitSums!);
            }
        }
    }

    private static void Close(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 * scale, $"[{i}]: {expected[i]:R} vs {actual[i]:R}");
    }

    [Fact]
    public void Run_Reductions_EqualReducingTheFullMapsOfAllSamples()
    {
        var (model, inputs, labels, layers) = Digits();
        var names = layers.Select(l => l.Name).ToList();
        var stream = new SampleStream(model, Layout(layers, model.SampleShape, RepresentationReduction.ChannelMean, 64), Conductance, 1000)
            .Run(inputs, labels, 0, 64, Progress(), CancellationToken.None);

        // The old way: every layer's full maps for all 64 samples at once, then reduced.
        var forward = model.Forward(inputs, names);
        var (activations, predicted) = (forward.Layers.ToDictionary(p => p.Key, p => p.Value), forward.Predicted);
        var conductance = new LayerConductance(model, Conductance.Options).Compute(inputs, labels, [0f], names);
        Assert.Equal(predicted, stream.Predicted);
        for (int l = 0; l < names.Count; l++)
        {
            // Activations: one forward of the same samples, channel means in double: bit for bit.
            var full = LayerReduction.Reduce(activations[names[l]], names[l], RepresentationReduction.ChannelMean, 8, 3, out _);
            Assert.Equal(full.Data, stream.Layers[l].Activations!.Values);
            // Conductance: 64 samples per sweep instead of 8 changes the GEMM tiling of the batch, so float sums may
            // differ in the last bits: 1e-6 relative to the layer's largest value.
            var values = conductance.Layers[names[l]].Values;
            var c = LayerReduction.Reduce(values, names[l], RepresentationReduction.ChannelMean, 8, 3, out _).Data;
            double scale = c.Max(v => Math.Abs((double)v));
            for (int i = 0; i < c.Length; i++)
                Assert.True(Math.Abs(c[i] - stream.Layers[l].Conductance!.Values[i]) <= 1e-6 * scale, $"{names[l]}[{i}]: {c[i]} vs {stream.Layers[l].Conductance!.Values[i]}");
            double magnitude = values.Span.ToArray().Sum(v => Math.Abs((double)v));
            Assert.Equal(magnitude, stream.Layers[l].ConductanceMagnitude!.Sum(), 1e-6 * magnitude);
        }
    }

    [Fact]
    public void Create_ReductionNoneOverTheBudget_RefusedNamingTheKey()
    {
        var layer = new AuditLayer("big", "Relu", [512, 112, 112]);
        var e = Assert.Throws<ModelInputException>(() =>
            StreamLayout.Create([layer], new TensorShape([3, 224, 224]), RepresentationReduction.None, 64, 0, conductance: true, samples: 256));
        Assert.Contains("analyses.planes.reduction: channel_mean or random_projection", e.Message);
    }

    [Fact]
    public void Create_WideLayers_ChunkFitsTheBudget()
    {
        // ResNet50-sized: 15 M values per sample over its Relu/Add layers; 256 MiB / 60 MB = 4 samples per chunk.
        var layers = Enumerable.Range(0, 15).Select(i => new AuditLayer($"l{i}", "Relu", [256, 512, 8])).ToList();
        var layout = StreamLayout.Create(layers, new TensorShape([3, 224, 224]), RepresentationReduction.ChannelMean, 64, 0, true, 256);
        Assert.Equal(4, layout.SamplesPerChunk);
        Assert.True(4L * layout.SamplesPerChunk * layers.Sum(l => l.Shape.Aggregate(1L, (a, d) => a * d)) <= StreamLayout.ChunkBudgetBytes);
    }

    [Fact]
    public void Run_CancelledAfterTheFirstChunk_StopsBeforeTheNext()
    {
        var (model, inputs, labels, layers) = Digits();
        var layout = Layout(layers, model.SampleShape, RepresentationReduction.ChannelMean, 64).WithSamplesPerChunk(8);
        using var cancellation = new CancellationTokenSource();
        var sink = new CancelOnReport(cancellation);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new SampleStream(model, layout, Conductance, 1000).Run(inputs, labels, 0, 64, Progress(sink), cancellation.Token));
        Assert.Equal([8], sink.Reports);
    }

    private sealed class CancelOnReport(CancellationTokenSource source) : IAuditProgress
    {
        public List<int> Reports { get; } = [];

        public void Start(string stage, string title, int total) { }

        public void Report(string stage, int done)
        {
            Reports.Add(done);
            source.Cancel();
        }

        public void Complete(string stage) { }
    }
}
