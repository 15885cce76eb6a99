using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;

namespace ModelAudit.Analysis.Attribution;

/// <summary>
/// Gradient x activation per layer, as Captum's <c>LayerGradientXActivation</c>: y(x) * dF_t/dy(x), from
/// one forward and one backward for all layers together.
/// </summary>
public sealed class GradientXActivation(IDifferentiableModel model, int internalBatchSize = 0, OutputTarget? target = null)
{
    /// <summary>Computes the attribution of each layer for every sample.</summary>
    public AttributionResult Compute(Tensor inputs, ReadOnlySpan<long> targets, IReadOnlyList<string> layers, CancellationToken cancellationToken = default)
    {
        var path = new PathInputs(inputs, model.SampleShape, [0f]);
        LayerConductance.CheckTargets(targets, path.Samples);
        var sweep = new PathSweep(model, internalBatchSize, target ?? OutputTarget.Default);
        var products = new float[layers.Count][];
        var shapes = new int[layers.Count][];
        sweep.Run(path, [1.0], targets, layers, chunk =>
        {
            for (int l = 0; l < layers.Count; l++)
            {
                var y = chunk.Forward[chunk.LayerIds[l]];
                var g = chunk.Gradients[chunk.LayerIds[l]];
                int rowSize = y.Length / chunk.SampleCount;
                if (products[l] is null)
                {
                    products[l] = new float[path.Samples * rowSize];
                    shapes[l] = y.Shape.ToArray();
                }
                TensorPrimitives.Multiply(y.Span, g.Span, products[l].AsSpan(chunk.FirstSample * rowSize, y.Length));
            }
        }, cancellationToken);

        var result = new Dictionary<string, LayerAttribution>(StringComparer.Ordinal);
        for (int l = 0; l < layers.Count; l++)
        {
            shapes[l][0] = path.Samples;
            result[layers[l]] = new LayerAttribution(layers[l], Tensor.FromArray(products[l], shapes[l]), []);
        }
        return new AttributionResult("gradient-x-activation", result, []);
    }
}
