using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;

namespace ModelAudit.Analysis.Attribution;

/// <summary>
/// Integrated gradients on the input (Sundararajan et al. 2017), as Captum's <c>IntegratedGradients</c>:
/// IG = (x - x') * sum_k w_k dF_t/dx(x' + a_k (x - x')) with the n points and weights of the method
/// (the trapezoid weights sum to 1 - 1/n, Captum's convention, kept so numbers match). With
/// <see cref="PathIntegralOptions.FromLayer"/> x is that layer's value, as Captum's <c>LayerIntegratedGradients</c>.
/// </summary>
public sealed class IntegratedGradients(IDifferentiableModel model, PathIntegralOptions options)
{
    /// <summary>Computes integrated gradients for every sample.</summary>
    /// <param name="inputs">[N, sample shape...].</param>
    /// <param name="targets">Class index per sample.</param>
    /// <param name="baseline">One value, one sample, or one per sample.</param>
    /// <param name="cancellationToken">Stops between chunks.</param>
    public AttributionResult Compute(Tensor inputs, ReadOnlySpan<long> targets, ReadOnlySpan<float> baseline, CancellationToken cancellationToken = default)
    {
        var (path, from) = options.Endpoints(model, inputs, baseline);
        LayerConductance.CheckTargets(targets, path.Samples);
        var rule = IntegrationRule.Create(options.Method, options.Steps);
        var sweep = new PathSweep(model, options.InternalBatchSize, options.Target ?? OutputTarget.Default, from);
        int size = path.SampleSize;
        var weighted = new double[path.Samples * size];
        string layerName = from?.Layer ?? model.InputName;

        sweep.Run(path, rule.Alphas, targets, [layerName], chunk =>
        {
            var g = chunk.Gradients[chunk.LayerIds[0]].Span;
            for (int p = 0; p < chunk.PointCount; p++)
            {
                double w = rule.Weights[chunk.FirstPoint + p];
                for (int s = 0; s < chunk.SampleCount; s++)
                {
                    var row = g.Slice((p * chunk.SampleCount + s) * size, size);
                    var acc = weighted.AsSpan((chunk.FirstSample + s) * size, size);
                    for (int e = 0; e < size; e++) acc[e] += w * row[e];
                }
            }
        }, cancellationToken);

        var ig = new float[weighted.Length];
        for (int i = 0; i < path.Samples; i++)
        {
            var x = path.Input(i);
            var b = path.Baseline(i);
            for (int e = 0; e < size; e++) ig[i * size + e] = (float)(weighted[i * size + e] * (x[e] - b[e]));
        }
        var difference = LayerConductance.TargetDifference(sweep, path, targets);
        var values = Tensor.FromArray(ig, [path.Samples, .. path.SampleShape.Dims]);
        var layer = new LayerAttribution(layerName, values, LayerConductance.ConvergenceDelta(ig, difference));
        return new AttributionResult("integrated-gradients", new Dictionary<string, LayerAttribution> { [layerName] = layer }, difference);
    }
}
