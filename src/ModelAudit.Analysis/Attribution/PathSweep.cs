using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;

namespace ModelAudit.Analysis.Attribution;

/// <summary>
/// Streams the points of a path integral through the model in chunks that bound memory, running one
/// forward and ONE backward per chunk for all requested layers together. Chunks share no point: a caller that
/// needs differences between neighbouring points (conductance) carries the last point of a chunk to the next,
/// rather than running it twice as Captum's internal batching does.
/// </summary>
internal sealed class PathSweep(IDifferentiableModel model, int internalBatchSize, OutputTarget target, LayerPath? fromLayer = null)
{
    /// <summary>What a chunk hands to the caller: rows are point-major over <see cref="SampleCount"/> samples.</summary>
    internal sealed class Chunk
    {
        public required int FirstSample { get; init; }
        public required int SampleCount { get; init; }
        public required int FirstPoint { get; init; }
        public required int PointCount { get; init; }
        public required ForwardPass Forward { get; init; }
        public required GradientResult Gradients { get; init; }
        public required int[] LayerIds { get; init; }
    }

    /// <summary>
    /// Runs every point of <paramref name="alphas"/> for every sample, a group of samples at a time and, within a group,
    /// its points in order. Gradients are taken at <paramref name="layers"/> (the input is a layer too).
    /// </summary>
    public void Run(PathInputs path, IReadOnlyList<double> alphas, ReadOnlySpan<long> targets, IReadOnlyList<string> layers,
        Action<Chunk> onChunk, CancellationToken cancellationToken = default)
    {
        int n = path.Samples;
        int points = alphas.Count;
        int budget = internalBatchSize > 0 ? internalBatchSize : n * points;
        // Split samples only when even one point of every sample does not fit.
        int samplesPerGroup = Math.Clamp(budget, 1, n);
        int pointsPerChunk = Math.Clamp(budget / samplesPerGroup, 1, points);
        var alphaArray = alphas.ToArray();

        for (int first = 0; first < n; first += samplesPerGroup)
        {
            int count = Math.Min(samplesPerGroup, n - first);
            int p0 = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int pc = Math.Min(pointsPerChunk, points - p0);
                RunChunk(path, alphaArray.AsSpan(p0, pc), targets, layers, first, count, p0, onChunk);
                int end = p0 + pc;
                if (end >= points) break;
                p0 = end;
            }
        }
    }

    private void RunChunk(PathInputs path, ReadOnlySpan<double> alphas, ReadOnlySpan<long> targets, IReadOnlyList<string> layers,
        int first, int count, int firstPoint, Action<Chunk> onChunk)
    {
        int rows = alphas.Length * count;
        var plan = model.GetPlan(rows);
        int inputId = plan.Resolve(model.InputName);
        int outputId = plan.Resolve(model.OutputName);
        var layerIds = layers.Select(plan.Resolve).ToArray();
        var backend = plan.Executor.Backend;
        using var batch = path.Rows(backend, alphas, first, count);
        using var carrier = fromLayer?.InputRows(backend, alphas.Length, first, count);
        using var pass = plan.Executor.Forward(
            new Dictionary<int, Tensor> { [inputId] = carrier ?? batch },
            new ForwardOptions
            {
                Keep = [.. layerIds, outputId],
                RecordForBackward = true,
                Replace = fromLayer is null ? new Dictionary<int, Tensor>() : new Dictionary<int, Tensor> { [plan.Resolve(fromLayer.Layer)] = batch },
            });
        using var seed = Seed(plan, outputId, AttributionTarget.ForRows(targets, alphas.Length, first, count), backend);
        using var grads = pass.Backward(new Dictionary<int, Tensor> { [outputId] = seed }, layerIds);
        onChunk(new Chunk
        {
            FirstSample = first,
            SampleCount = count,
            FirstPoint = firstPoint,
            PointCount = alphas.Length,
            Forward = pass,
            Gradients = grads,
            LayerIds = layerIds,
        });
    }

    /// <exception cref="ModelInputException">A target is outside the output target's range, or its axis does not fit the output.</exception>
    private Tensor Seed(ModelPlan plan, int outputId, long[] rows, IComputeBackend backend)
    {
        try
        {
            return target.Seed(plan.Graph.Values[outputId].Shape, rows, backend);
        }
        catch (ArgumentException e)
        {
            throw new ModelInputException($"targets: {e.Message} ('{plan.Graph.Values[outputId].Name}')");
        }
    }

    /// <summary>F_t at the inputs (or baselines) of every sample, one forward per group.</summary>
    public float[] TargetScores(PathInputs path, ReadOnlySpan<long> targets, bool atBaseline)
    {
        var result = new float[path.Samples];
        int group = Math.Clamp(internalBatchSize > 0 ? internalBatchSize : path.Samples, 1, path.Samples);
        for (int first = 0; first < path.Samples; first += group)
        {
            int count = Math.Min(group, path.Samples - first);
            var plan = model.GetPlan(count);
            int inputId = plan.Resolve(model.InputName);
            int outputId = plan.Resolve(model.OutputName);
            using var batch = path.Endpoints(plan.Executor.Backend, atBaseline, first, count);
            using var carrier = fromLayer?.InputRows(plan.Executor.Backend, 1, first, count);
            using var pass = plan.Executor.Forward(new Dictionary<int, Tensor> { [inputId] = carrier ?? batch }, new ForwardOptions
            {
                Keep = [outputId],
                Replace = fromLayer is null ? new Dictionary<int, Tensor>() : new Dictionary<int, Tensor> { [plan.Resolve(fromLayer.Layer)] = batch },
            });
            var output = pass[outputId];
            target.Scores(output.Shape, output.ToArray(), targets.Slice(first, count)).CopyTo(result, first);
        }
        return result;
    }
}
