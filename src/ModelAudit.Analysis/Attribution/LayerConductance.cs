using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;

namespace ModelAudit.Analysis.Attribution;

/// <summary>Settings of a path-integral attribution.</summary>
/// <param name="Method">Integration method (Captum's default: Gauss-Legendre).</param>
/// <param name="Steps">n_steps as in Captum (conductance evaluates n_steps + 1 points).</param>
/// <param name="InternalBatchSize">Most rows (samples x points) per forward/backward; 0 = all at once.</param>
/// <param name="Target">The scalar explained per sample (null: output[i, t_i] of an [N, C] output, a class score summed over the other axes otherwise).</param>
/// <param name="FromLayer">Run the path from this inner layer instead of the input (Captum's LayerIntegratedGradients; required for token-id inputs), or null.</param>
public sealed record PathIntegralOptions(IntegrationMethod Method = IntegrationMethod.GaussLegendre, int Steps = 50, int InternalBatchSize = 0,
    OutputTarget? Target = null, string? FromLayer = null)
{
    /// <summary>The path's endpoints: the inputs and baselines, or the values of <see cref="FromLayer"/> at both.</summary>
    /// <exception cref="ModelInputException">The input holds token ids and no <see cref="FromLayer"/> is given.</exception>
    internal (PathInputs Path, LayerPath? From) Endpoints(IDifferentiableModel model, Tensor inputs, ReadOnlySpan<float> baseline)
    {
        if (FromLayer is { } layer)
        {
            var from = LayerPath.Create(model, inputs, baseline, layer, InternalBatchSize);
            return (from.Path, from);
        }
        if (model.InputIsIndices)
            throw new ModelInputException($"input '{model.InputName}' holds integer token ids, which cannot be interpolated; run the path from the embedding output (attribute --from-layer NAME, or analyses.conductance.from_layer)");
        return (new PathInputs(inputs, model.SampleShape, baseline), null);
    }
}

/// <summary>
/// Layer conductance (Dhamdhere, Sundararajan &amp; Yan 2019), as Captum's <c>LayerConductance</c>:
/// with n_steps + 1 points a_k of the method, x_k = x' + a_k (x - x'), layer outputs y_k and gradients
/// g_k = dF_t/dy at x_k, conductance = sum over k &lt; n of g_k (y_{k+1} - y_k).
/// Unlike Captum, which sweeps the path once per layer, one sweep here yields every requested layer:
/// each chunk of points is one forward and one backward for all layers together.
/// </summary>
public sealed class LayerConductance(IDifferentiableModel model, PathIntegralOptions options)
{
    /// <summary>Computes conductance of each of <paramref name="layers"/> for every sample of <paramref name="inputs"/>.</summary>
    /// <param name="inputs">[N, sample shape...].</param>
    /// <param name="targets">Class index per sample.</param>
    /// <param name="baseline">One value, one sample, or one per sample.</param>
    /// <param name="layers">Tensor names.</param>
    /// <param name="cancellationToken">Stops between chunks.</param>
    public AttributionResult Compute(Tensor inputs, ReadOnlySpan<long> targets, ReadOnlySpan<float> baseline, IReadOnlyList<string> layers,
        CancellationToken cancellationToken = default)
    {
        var (path, from) = options.Endpoints(model, inputs, baseline);
        CheckTargets(targets, path.Samples);
        var rule = IntegrationRule.Create(options.Method, options.Steps + 1);
        var sweep = new PathSweep(model, options.InternalBatchSize, options.Target ?? OutputTarget.Default, from);

        var sums = new float[layers.Count][];
        var layerShapes = new int[layers.Count][];
        // The last point of each pass (y and g per sample), so the pair that straddles two passes is added without
        // running that point twice: consecutive passes then share no point.
        var carry = new PointCarry[layers.Count];
        sweep.Run(path, rule.Alphas, targets, layers, chunk =>
        {
            for (int l = 0; l < layers.Count; l++)
            {
                var y = chunk.Forward[chunk.LayerIds[l]];
                var g = chunk.Gradients[chunk.LayerIds[l]];
                int rowSize = y.Length / (chunk.PointCount * chunk.SampleCount);
                if (sums[l] is null)
                {
                    sums[l] = new float[path.Samples * rowSize];
                    layerShapes[l] = y.Shape.ToArray();
                }
                carry[l] ??= new PointCarry(rowSize);
                Accumulate(y.Span, g.Span, sums[l], chunk, rowSize, carry[l]);
            }
        }, cancellationToken);

        var difference = TargetDifference(sweep, path, targets);
        var result = new Dictionary<string, LayerAttribution>(StringComparer.Ordinal);
        for (int l = 0; l < layers.Count; l++)
        {
            var dims = layerShapes[l];
            dims[0] = path.Samples;
            var values = Tensor.FromArray(sums[l], dims);
            result[layers[l]] = new LayerAttribution(layers[l], values, ConvergenceDelta(sums[l], difference));
        }
        return new AttributionResult("conductance", result, difference);
    }

    /// <summary>
    /// sum over consecutive point pairs of the chunk: g_k * (y_{k+1} - y_k), into each sample's row, in ascending k;
    /// the pair from the previous pass's last point to this pass's first comes first, from the carry.
    /// </summary>
    private static void Accumulate(ReadOnlySpan<float> y, ReadOnlySpan<float> g, float[] sums, PathSweep.Chunk chunk, int rowSize, PointCarry carry)
    {
        if (chunk.FirstPoint > 0)
        {
            for (int s = 0; s < chunk.SampleCount; s++)
                ConductanceStep.Accumulate(carry.G(s), carry.Y(s), y.Slice(s * rowSize, rowSize), sums.AsSpan((chunk.FirstSample + s) * rowSize, rowSize));
        }
        for (int p = 0; p + 1 < chunk.PointCount; p++)
        {
            for (int s = 0; s < chunk.SampleCount; s++)
            {
                int now = (p * chunk.SampleCount + s) * rowSize;
                int next = ((p + 1) * chunk.SampleCount + s) * rowSize;
                ConductanceStep.Accumulate(g.Slice(now, rowSize), y.Slice(now, rowSize), y.Slice(next, rowSize), sums.AsSpan((chunk.FirstSample + s) * rowSize, rowSize));
            }
        }
        carry.Keep(y, g, chunk, rowSize);
    }

    /// <summary>y and g at the last point of the previous pass, per sample of the pass's group.</summary>
    private sealed class PointCarry(int rowSize)
    {
        private float[] _y = [];
        private float[] _g = [];

        public ReadOnlySpan<float> Y(int sample) => _y.AsSpan(sample * rowSize, rowSize);

        public ReadOnlySpan<float> G(int sample) => _g.AsSpan(sample * rowSize, rowSize);

        public void Keep(ReadOnlySpan<float> y, ReadOnlySpan<float> g, PathSweep.Chunk chunk, int rows)
        {
            int length = chunk.SampleCount * rows;
            if (_y.Length < length)
            {
                _y = new float[length];
                _g = new float[length];
            }
            int last = (chunk.PointCount - 1) * chunk.SampleCount * rows;
            y.Slice(last, length).CopyTo(_y);
            g.Slice(last, length).CopyTo(_g);
        }
    }

    internal static float[] TargetDifference(PathSweep sweep, PathInputs path, ReadOnlySpan<long> targets)
    {
        var atInput = sweep.TargetScores(path, targets, atBaseline: false);
        var atBaseline = sweep.TargetScores(path, targets, atBaseline: true);
        TensorPrimitives.Subtract(atInput, atBaseline, atInput);
        return atInput;
    }

    internal static float[] ConvergenceDelta(float[] attribution, float[] difference)
    {
        int rowSize = attribution.Length / difference.Length;
        var delta = new float[difference.Length];
        for (int i = 0; i < delta.Length; i++)
            delta[i] = (float)(SumInDouble(attribution.AsSpan(i * rowSize, rowSize)) - difference[i]);
        return delta;
    }

    internal static void CheckTargets(ReadOnlySpan<long> targets, int samples)
    {
        if (targets.Length != samples)
            throw new ModelInputException($"{targets.Length} targets for {samples} samples; give one class index per sample.");
    }

    private static double SumInDouble(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (var v in values) sum += v;
        return sum;
    }
}
