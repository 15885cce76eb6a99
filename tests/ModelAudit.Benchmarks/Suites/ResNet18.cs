using ModelAudit.Analysis;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Benchmarks;

/// <summary>
/// torchvision's resnet18 built directly on the engine's graph API (BasicBlock [2,2,2,2], batch norm
/// folded into the convolutions as the ONNX exporter does), with fixed-seed He-initialised weights, so the
/// benchmarks need no 45 MB model file.
/// </summary>
internal sealed class ResNet18 : IDifferentiableModel
{
    private readonly int _size;
    private readonly int _classes;
    private readonly Dictionary<string, float[]> _weights = [];
    private readonly Dictionary<int, ModelPlan> _plans = [];

    public ResNet18(int imageSize, int classes = 1000)
    {
        _size = imageSize;
        _classes = classes;
        SampleShape = new TensorShape(3, imageSize, imageSize);
    }

    public string InputName => "input";

    public string OutputName => "logits";

    public TensorShape SampleShape { get; }

    /// <summary>The Relu and Add outputs in depth order: the layers an audit looks at.</summary>
    public List<string> AuditLayers { get; } = [];

    public ModelPlan GetPlan(int batchSize)
    {
        if (!_plans.TryGetValue(batchSize, out var plan))
        {
            var graph = Build(batchSize);
            plan = new ModelPlan(graph, new GraphExecutor(graph));
            _plans[batchSize] = plan;
        }
        return plan;
    }

    private ComputeGraph Build(int batch)
    {
        var g = new ComputeGraph();
        var rng = new Random(0);
        bool recordLayers = AuditLayers.Count == 0;
        int x = g.AddInput(InputName, new TensorShape(batch, 3, _size, _size));
        x = Conv(g, rng, "conv1", x, 3, 64, 7, 2, 3);
        x = Relu(g, "relu", x, recordLayers);
        x = g.AddNode("maxpool", new MaxPool2d([3, 3], [2, 2], [1, 1, 1, 1], [1, 1], false), [x], ["maxpool_out"])[0];
        int channels = 64;
        foreach (var (stage, width) in new[] { (1, 64), (2, 128), (3, 256), (4, 512) })
        {
            for (int block = 0; block < 2; block++)
            {
                string p = $"layer{stage}.{block}";
                int stride = stage > 1 && block == 0 ? 2 : 1;
                int y = Conv(g, rng, p + ".conv1", x, channels, width, 3, stride, 1);
                y = Relu(g, p + ".relu", y, recordLayers);
                y = Conv(g, rng, p + ".conv2", y, width, width, 3, 1, 1);
                int shortcut = stride != 1 || channels != width ? Conv(g, rng, p + ".downsample", x, channels, width, 1, stride, 0) : x;
                y = g.AddNode(p + ".add", new Binary(BinaryKind.Add), [y, shortcut], [p + ".add_out"])[0];
                if (recordLayers) AuditLayers.Add(p + ".add_out");
                x = Relu(g, p + ".relu_1", y, recordLayers);
                channels = width;
            }
        }
        x = g.AddNode("avgpool", new GlobalAveragePool(), [x], ["avgpool_out"])[0];
        x = g.AddNode("flatten", new Reshape([batch, 512]), [x], ["flatten_out"])[0];
        int w = g.AddConstant("fc.weight", Tensor.FromArray(Weights("fc.weight", _classes * 512, 512, rng), _classes, 512), isParameter: true);
        int b = g.AddConstant("fc.bias", Tensor.FromArray(new float[_classes], _classes), isParameter: true);
        int logits = g.AddNode("fc", new Gemm(false, true, 1f, 1f), [x, w, b], [OutputName])[0];
        g.AddOutput(logits);
        return g;
    }

    private int Conv(ComputeGraph g, Random rng, string name, int x, int cin, int cout, int k, int stride, int pad)
    {
        int w = g.AddConstant(name + ".weight", Tensor.FromArray(Weights(name + ".weight", cout * cin * k * k, cin * k * k, rng), cout, cin, k, k), isParameter: true);
        int b = g.AddConstant(name + ".bias", Tensor.FromArray(Weights(name + ".bias", cout, 1000, rng), cout), isParameter: true);
        return g.AddNode(name, new Conv2d([stride, stride], [pad, pad, pad, pad], [1, 1], 1), [x, w, b], [name + "_out"])[0];
    }

    private int Relu(ComputeGraph g, string name, int x, bool record)
    {
        int y = g.AddNode(name, new Unary(UnaryKind.Relu), [x], [name + "_out"])[0];
        if (record) AuditLayers.Add(name + "_out");
        return y;
    }

    /// <summary>He-normal weights, drawn once per name so every batch size's graph has the same model.</summary>
    private float[] Weights(string name, int count, int fanIn, Random rng)
    {
        if (_weights.TryGetValue(name, out var known)) return known;
        var values = new float[count];
        double std = Math.Sqrt(2.0 / fanIn);
        for (int i = 0; i < count; i++)
        {
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
            values[i] = (float)(std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        _weights[name] = values;
        return values;
    }
}
