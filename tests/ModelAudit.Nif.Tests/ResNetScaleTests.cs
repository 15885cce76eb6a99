using System.Diagnostics;
using ModelAudit.Onnx;
using Xunit.Abstractions;

namespace ModelAudit.Nif.Tests;

/// <summary>
/// NIF on the resnet18_64 fixture (torchvision ResNet-18 structure, stage widths 16-128, 64 x 64 inputs) with
/// the default unit cap: the wide layers are reduced to their 32 most variable channels.
/// </summary>
public class ResNetScaleTests(ITestOutputHelper output)
{
    internal const string Stage3 = "/layer3/layer3.1/relu_1/Relu_output_0";
    internal const string Stage4 = "/layer4/layer4.1/relu_1/Relu_output_0";

    /// <summary>Seeded standard-normal images [samples, 3, 64, 64].</summary>
    internal static float[] Images(int samples, int seed)
    {
        var random = new Random(seed);
        var data = new float[samples * 3 * 64 * 64];
        for (int i = 0; i < data.Length; i++)
            data[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return data;
    }

    internal static OnnxSession Session() => new(OnnxModel.Load(TestPaths.Fixture("resnet18_64", "model.onnx")));

    [Fact]
    public void Run_TwoWideStagesWithDefaultCap_ThirtyTwoNodesPerWideLayerAndEdgesOnlyAmongThem()
    {
        const int samples = 16;
        var progress = new List<NifProgress>();
        var watch = Stopwatch.StartNew();
        var result = NifAnalysis.Run(Session(), Images(samples, seed: 7), samples, labels: null,
            new NifOptions { Layers = [Stage3, Stage4], Mine = new MineOptions(Steps: 20), CompareAttributions = false }, progress: progress.Add);
        output.WriteLine($"resnet18_64, 2 stages, N {samples}, MINE 20 steps: {watch.Elapsed.TotalSeconds:F1} s; {result.Estimate.Describe()}");

        // 3 input channels, 64 -> 32, 128 -> 32, 10 classes.
        Assert.Equal([3, 64, 128, 10], result.LayerUnits);
        Assert.Equal([3, 32, 32, 10], result.SelectedUnits.Select(u => u.Count));
        Assert.Equal(3 + 32 + 32 + 10, result.Nodes.Count);
        Assert.Equal(3 * 32 + 32 * 32 + 32 * 10, result.Estimate.EdgeUpperBound);
        // Every node is a selected unit of its layer; every edge joins consecutive layers.
        Assert.All(result.Nodes, n => Assert.Contains(n.Unit, result.SelectedUnits[n.Layer]));
        Assert.All(result.Edges, e => Assert.Equal(result.Nodes[e.From].Layer + 1, result.Nodes[e.To].Layer));
        Assert.Equal(result.LayerPairs.Sum(p => p.Edges), result.Edges.Count);
        Assert.All(result.Edges, e => Assert.True(double.IsFinite(e.Flow) && e.Flow >= 0));
        Assert.All(result.LayerPairs, p => Assert.Equal("mine", p.Estimator));
        // Dense convolutions: one chunk of backward passes finds every edge, so no pass beyond the 74 selected later units.
        Assert.True(progress.Count(p => p.Stage == NifStage.Connectivity) <= 32 + 32 + 10);
        Assert.Equal(3, progress.Count(p => p.Stage == NifStage.Flows));
    }
}
