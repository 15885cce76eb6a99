using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;

namespace ModelAudit.Analysis.Attribution;

/// <summary>
/// A path integral that starts at an inner layer, as Captum's <c>LayerIntegratedGradients</c> does for token
/// inputs (ids cannot be interpolated): the endpoints are the layer's values at the inputs and at the baseline
/// inputs (Captum's convention: the baseline is given in input space, zeros = token id 0, and the layer's
/// baseline is its value there), the points x'_l + a (x_l - x'_l) replace the layer's value in each pass while
/// the inputs themselves are fed as they are.
/// </summary>
internal sealed class LayerPath
{
    private readonly float[] _inputs;
    private readonly TensorShape _inputSampleShape;

    private LayerPath(string layer, float[] inputs, TensorShape inputSampleShape, PathInputs path)
    {
        Layer = layer;
        _inputs = inputs;
        _inputSampleShape = inputSampleShape;
        Path = path;
    }

    /// <summary>The layer the path runs through (an ONNX tensor name).</summary>
    public string Layer { get; }

    /// <summary>The layer's values at the inputs and at the baselines.</summary>
    public PathInputs Path { get; }

    /// <summary>Runs the model at the inputs and at the baseline inputs and keeps <paramref name="layer"/> at both.</summary>
    /// <exception cref="ModelInputException">The layer is unknown, the model input itself, or not a float node output.</exception>
    public static LayerPath Create(IDifferentiableModel model, Tensor inputs, ReadOnlySpan<float> baseline, string layer, int internalBatchSize)
    {
        var inputPath = new PathInputs(inputs, model.SampleShape, baseline);
        int n = inputPath.Samples;
        int group = Math.Clamp(internalBatchSize > 0 ? internalBatchSize : n, 1, n);
        float[]? atInput = null, atBaseline = null;
        int[]? layerDims = null;
        for (int first = 0; first < n; first += group)
        {
            int count = Math.Min(group, n - first);
            var plan = model.GetPlan(count);
            int inputId = plan.Resolve(model.InputName);
            int layerId = plan.Resolve(layer);
            if (plan.Graph.Values[layerId].Kind != ValueKind.Intermediate)
                throw new ModelInputException($"from-layer '{layer}' is not computed by a node (it is {(layerId == inputId ? "the model input" : "a constant or weight")}); name a layer such as the embedding output");
            foreach (bool baselineSide in new[] { false, true })
            {
                using var batch = inputPath.Endpoints(plan.Executor.Backend, baselineSide, first, count);
                using var pass = plan.Executor.Forward(new Dictionary<int, Tensor> { [inputId] = batch }, new ForwardOptions { Keep = [layerId] });
                var values = pass[layerId];
                int rowSize = values.Length / count;
                if (layerDims is null)
                {
                    layerDims = values.Shape.ToArray();
                    atInput = new float[n * rowSize];
                    atBaseline = new float[n * rowSize];
                }
                values.Span.CopyTo((baselineSide ? atBaseline! : atInput!).AsSpan(first * rowSize, count * rowSize));
            }
        }
        layerDims![0] = n;
        using var layerValues = Tensor.FromArray(atInput!, layerDims);
        var path = new PathInputs(layerValues, new TensorShape(layerDims[1..]), atBaseline);
        var ids = new float[inputPath.Samples * inputPath.SampleSize];
        for (int i = 0; i < n; i++) inputPath.Input(i).CopyTo(ids.AsSpan(i * inputPath.SampleSize));
        return new LayerPath(layer, ids, model.SampleShape, path);
    }

    /// <summary>The model inputs of samples [first, first+count), repeated for each of <paramref name="points"/> points (point-major).</summary>
    public Tensor InputRows(IComputeBackend backend, int points, int first, int count)
    {
        int size = _inputSampleShape.ElementCount;
        var dims = new int[_inputSampleShape.Rank + 1];
        dims[0] = points * count;
        _inputSampleShape.Dims.CopyTo(dims.AsSpan(1));
        var rows = backend.Allocate(new TensorShape(dims), clear: false);
        var host = new float[rows.Length];
        for (int p = 0; p < points; p++)
            _inputs.AsSpan(first * size, count * size).CopyTo(host.AsSpan(p * count * size));
        rows.Storage.CopyFrom(host);
        return rows;
    }
}
