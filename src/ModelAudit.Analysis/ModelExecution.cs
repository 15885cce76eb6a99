using System.Collections.Concurrent;
using System.Runtime;
using ModelAudit.Analysis.Attribution;
using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;

namespace ModelAudit.Analysis;

/// <summary>How a chunk shorter than the others is run.</summary>
public enum ChunkPadding
{
    /// <summary>The short last chunk runs at its own batch size (a second plan).</summary>
    None,

    /// <summary>The short last chunk is padded to the chunk size by repeating its last sample (one plan); padded rows are never read back.</summary>
    RepeatLastSample,
}

/// <summary>Where a chunked run stands after a chunk.</summary>
/// <param name="Chunk">Chunks done.</param>
/// <param name="Chunks">Chunks in the run.</param>
/// <param name="Samples">Real samples of the chunk just done.</param>
public readonly record struct ChunkProgress(int Chunk, int Chunks, int Samples);

/// <summary>One chunk of a chunked run: its samples as a batch, the plan compiled for that batch, and the input and output ids.</summary>
public sealed class ModelChunk
{
    internal ModelChunk(int index, int first, int count, Tensor batch, ModelPlan plan, int inputId, int outputId)
    {
        Index = index;
        First = first;
        Count = count;
        Batch = batch;
        Plan = plan;
        InputId = inputId;
        OutputId = outputId;
    }

    /// <summary>Position of the chunk in the run, from 0.</summary>
    public int Index { get; }

    /// <summary>Index of the chunk's first sample in the data.</summary>
    public int First { get; }

    /// <summary>Real samples in the chunk; rows of <see cref="Batch"/> past it are padding.</summary>
    public int Count { get; }

    /// <summary>Rows of the batch (the chunk size when padded, else <see cref="Count"/>).</summary>
    public int Rows => Batch.Shape[0];

    /// <summary>The input batch [rows, sample shape...]; owned by the run, disposed after the chunk.</summary>
    public Tensor Batch { get; }

    /// <summary>The plan compiled for <see cref="Rows"/> rows.</summary>
    public ModelPlan Plan { get; }

    /// <summary>Value id of the model input in <see cref="Plan"/>.</summary>
    public int InputId { get; }

    /// <summary>Value id of the model's first output in <see cref="Plan"/>.</summary>
    public int OutputId { get; }

    /// <summary>A forward pass of the batch keeping <paramref name="keep"/> (value ids of <see cref="Plan"/>), recorded for backward when asked.</summary>
    public ForwardPass Forward(IReadOnlyCollection<int> keep, bool recordForBackward = false)
        => Plan.Executor.Forward(new Dictionary<int, Tensor> { [InputId] = Batch }, new ForwardOptions { Keep = keep, RecordForBackward = recordForBackward });
}

/// <summary>
/// The one service that runs a model over audit data: the model's first input and first output, a compiled plan per
/// batch size (cached), the chunk size from a memory budget (<see cref="ChunkRows"/>), chunked forward passes that keep
/// named layers, chunked forward/backward passes, padding of the short last chunk, cancellation before each chunk,
/// progress after it, and the pool trim and collection between chunks that keep the peak working set at one chunk's.
/// The audit's stream, NIF, the analyses and the commands (infer, grad, attribute, analyze, nif) all run models through it.
/// </summary>
public sealed class ModelExecution : IDifferentiableModel
{
    /// <summary>Most rows of one chunk from <see cref="ChunkRows"/>.</summary>
    public const int MaxChunkRows = 128;

    /// <summary>Working set of one recorded forward and its backward: VGG16 at 224x224 gets 2 rows, the paper's MLPs 128.</summary>
    public const long ChunkBudgetBytes = 1L << 30;

    /// <summary>Bytes one recorded value costs: itself (float32), its gradient and about as much again of scratch.</summary>
    public const int BytesPerRecordedValue = 12;

    private readonly ConcurrentDictionary<int, ModelPlan> _plans = new();
    private long _recordedValuesPerSample = -1;

    /// <summary>
    /// Wraps a loaded model. The sample shape comes from the data (<paramref name="sampleShape"/>, the input's shape
    /// without the batch), so models with free dimensions (a dynamic width or sequence length) run at the data's
    /// shape; without it, the input must declare every dimension after the batch.
    /// </summary>
    /// <exception cref="ModelInputException">No sample shape and a free dimension, or a sample shape that does not fit the declared input.</exception>
    public ModelExecution(OnnxSession session, TensorShape? sampleShape = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        Session = session;
        InputName = session.Input.Name;
        OutputName = session.Model.Outputs[0].Name;
        InputIsIndices = session.HasIntegerInput;
        var dims = session.Input.Dims;
        if (sampleShape is not null)
        {
            if (dims is not null && (dims.Count != sampleShape.Rank + 1 || dims.Skip(1).Select((d, i) => d is not long v || v == sampleShape[i]).Any(ok => !ok)))
                throw new ModelInputException($"{session.Model.Path}: samples of shape {sampleShape} do not fit input '{InputName}' {session.Input.FormatShape()}");
            SampleShape = sampleShape;
            return;
        }
        if (dims is null || dims.Count < 1 || dims.Skip(1).Any(d => d is null))
            throw new ModelInputException($"{session.Model.Path}: input '{InputName}' needs static dimensions after the batch dimension, got {session.Input.FormatShape()}");
        SampleShape = new TensorShape([.. dims.Skip(1).Select(d => checked((int)d!.Value))]);
    }

    /// <summary>Wraps a model for samples shaped like <paramref name="inputs"/> (its shape without the batch).</summary>
    public static ModelExecution ForData(OnnxSession session, Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return new ModelExecution(session, new TensorShape(inputs.Shape.Dims[1..].ToArray()));
    }

    /// <summary>The loaded model.</summary>
    public OnnxSession Session { get; }

    /// <inheritdoc/>
    public bool InputIsIndices { get; }

    /// <inheritdoc/>
    public string InputName { get; }

    /// <inheritdoc/>
    public string OutputName { get; }

    /// <inheritdoc/>
    public TensorShape SampleShape { get; }

    /// <summary>Values per sample.</summary>
    public int SampleSize => SampleShape.ElementCount;

    /// <inheritdoc/>
    public ModelPlan GetPlan(int batchSize) => _plans.GetOrAdd(batchSize, n =>
    {
        var graph = Session.Model.BuildGraph(new Dictionary<string, int[]> { [InputName] = [n, .. SampleShape.Dims] });
        return new ModelPlan(graph, Session.ExecutorFor(graph));
    });

    /// <summary>The value id of a layer in <paramref name="plan"/>; unknown names fail with close matches.</summary>
    /// <exception cref="ModelInputException">No runtime tensor has that name.</exception>
    public int Resolve(ModelPlan plan, string name)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return Session.ResolveLayer(plan.Graph, name);
    }

    /// <summary>Values a recorded forward of one sample holds: every runtime value (not constants or parameters) of the one-sample graph.</summary>
    public long RecordedValuesPerSample
    {
        get
        {
            if (_recordedValuesPerSample < 0)
            {
                var one = Session.GraphFor(new TensorShape([1, .. SampleShape.Dims]));
                _recordedValuesPerSample = one.Values.Where(v => v.Kind is not ValueKind.Constant and not ValueKind.Parameter).Sum(v => (long)v.Shape.ElementCount);
            }
            return _recordedValuesPerSample;
        }
    }

    /// <summary>Rows whose recorded values, gradients and scratch (<see cref="BytesPerRecordedValue"/> each) fit <see cref="ChunkBudgetBytes"/>, in [1, <paramref name="maxRows"/>].</summary>
    /// <param name="valuesPerRow">Values one row records.</param>
    /// <param name="maxRows">Most rows.</param>
    public static int RowsWithinBudget(long valuesPerRow, int maxRows)
        => (int)Math.Clamp(ChunkBudgetBytes / Math.Max(1, BytesPerRecordedValue * valuesPerRow), 1, Math.Max(1, maxRows));

    /// <summary>Rows per chunk for <paramref name="samples"/> samples: those within the budget for this model's recorded values, at most <see cref="MaxChunkRows"/> and <paramref name="samples"/>.</summary>
    public int ChunkRows(int samples) => Math.Min(RowsWithinBudget(RecordedValuesPerSample, MaxChunkRows), Math.Max(1, samples));

    /// <summary>
    /// Runs <paramref name="body"/> on samples [<paramref name="first"/>, <paramref name="first"/> + <paramref name="count"/>) of
    /// <paramref name="samples"/> in chunks of <paramref name="chunkRows"/>. Checks <paramref name="cancellationToken"/> before each
    /// chunk, reports <paramref name="progress"/> after it, and then trims the tensor pool and collects: a chunk's buffers
    /// (batch, recorded passes, a short last chunk) have sizes the next chunk may not ask for again, and most are
    /// large-object-heap arrays the GC would otherwise collect only after the next chunk had allocated its own.
    /// </summary>
    /// <param name="samples">All samples, sample-major, <see cref="SampleSize"/> values each.</param>
    /// <param name="first">First sample to run.</param>
    /// <param name="count">Samples to run.</param>
    /// <param name="chunkRows">Samples per chunk (e.g. <see cref="ChunkRows"/>).</param>
    /// <param name="padding">How the short last chunk runs.</param>
    /// <param name="body">Called once per chunk; the chunk's batch is disposed when it returns.</param>
    /// <param name="progress">Called after each chunk, or null.</param>
    /// <param name="cancellationToken">Checked before each chunk.</param>
    public void ForEachChunk(ReadOnlySpan<float> samples, int first, int count, int chunkRows, ChunkPadding padding, Action<ModelChunk> body,
        Action<ChunkProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        int size = SampleSize;
        if (first < 0 || count < 0 || (long)(first + count) * size > samples.Length)
            throw new ArgumentOutOfRangeException(nameof(count), $"samples [{first}, {first + count}) of {samples.Length / Math.Max(1, size)}");
        int chunks = (count + chunkRows - 1) / chunkRows;
        for (int c = 0; c < chunks; c++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int offset = first + c * chunkRows;
            int real = Math.Min(chunkRows, first + count - offset);
            int rows = padding == ChunkPadding.RepeatLastSample ? chunkRows : real;
            var host = new float[rows * size];
            samples.Slice(offset * size, real * size).CopyTo(host);
            var last = samples.Slice((offset + real - 1) * size, size);
            for (int r = real; r < rows; r++) last.CopyTo(host.AsSpan(r * size, size));
            var plan = GetPlan(rows);
            using (var batch = Tensor.FromArray(host, [rows, .. SampleShape.Dims]))
                body(new ModelChunk(c, offset, real, batch, plan, plan.Resolve(InputName), plan.Resolve(OutputName)));
            progress?.Invoke(new ChunkProgress(c + 1, chunks, real));
            ReleaseChunkMemory();
        }
    }

    /// <summary>
    /// Trims the tensor pool and runs a compacting collection of every generation, the large-object heap included, twice:
    /// the pool's bags hold their buffers in thread-local queues that are released only when the bags' finalizers ran.
    /// A blocking collection costs well under a second against a chunk's minutes at real sizes.
    /// </summary>
    internal static void ReleaseChunkMemory()
    {
        TensorPool.Shared.Trim();
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>
    /// A chunked forward keeping <paramref name="layers"/>: each layer's values for every sample (copies the caller owns, batch
    /// first) and the arg max of each row of the first output. Samples that fit one chunk run as one batch.
    /// </summary>
    /// <param name="inputs">[N, sample shape...].</param>
    /// <param name="layers">Tensor names; each must have the batch as dimension 0.</param>
    /// <param name="cancellationToken">Checked before each chunk.</param>
    /// <param name="chunkRows">Samples per chunk; 0 = <see cref="ChunkRows"/>.</param>
    /// <exception cref="ModelInputException">A name is unknown, or a layer's first dimension is not the batch when the samples need several chunks.</exception>
    public LayerValues Forward(Tensor inputs, IReadOnlyList<string> layers, CancellationToken cancellationToken = default, int chunkRows = 0)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(layers);
        int n = inputs.Shape[0];
        var gathered = new BatchGather(layers, n);
        long[]? predicted = new long[n];
        ForEachChunk(inputs.Span, 0, n, chunkRows > 0 ? chunkRows : ChunkRows(n), ChunkPadding.RepeatLastSample, chunk =>
        {
            var ids = layers.Select(l => Resolve(chunk.Plan, l)).ToArray();
            using var pass = chunk.Forward([.. ids, chunk.OutputId]);
            var logits = pass[chunk.OutputId];
            // The arg max per row of an output [rows, ...]; other outputs (a scalar, a batch not first) predict nothing.
            if (logits.Shape.Rank == 0 || logits.Shape[0] != chunk.Rows || logits.Length < chunk.Rows) predicted = null;
            if (predicted is not null)
                AttributionTarget.Predicted(logits.Span, logits.Length / chunk.Rows).AsSpan(0, chunk.Count).CopyTo(predicted.AsSpan(chunk.First));
            for (int l = 0; l < layers.Count; l++) gathered.Add(l, pass[ids[l]], chunk, summable: false);
        }, null, cancellationToken);
        return new LayerValues(gathered.Results(), predicted);
    }

    /// <summary>
    /// Gradients of <c>sum_i score_i</c>, score_i the <paramref name="target"/> of sample i's targets[i] (default: output[i, targets[i]]
    /// of a first output [N, C]), with respect to each layer, in chunks: per-sample values are gathered along the batch and
    /// parameters (weights) summed over the chunks. Padded rows get a zero seed.
    /// </summary>
    /// <exception cref="ModelInputException">Bad targets (messages start with <c>targets:</c>), target axis or layer names; a constant or token-id layer.</exception>
    /// <param name="inputs">[N, sample shape...].</param>
    /// <param name="targets">Target per sample.</param>
    /// <param name="layers">Tensor names (values, the input, or weights).</param>
    /// <param name="target">What a target selects of the output; null = output[i, targets[i]].</param>
    /// <param name="cancellationToken">Checked before each chunk.</param>
    /// <param name="chunkRows">Samples per chunk; 0 = <see cref="ChunkRows"/>.</param>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Gradients(Tensor inputs, ReadOnlySpan<long> targets, IReadOnlyList<string> layers, OutputTarget? target = null,
        CancellationToken cancellationToken = default, int chunkRows = 0)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(layers);
        target ??= OutputTarget.Default;
        int n = inputs.Shape[0];
        if (targets.Length != n) throw new ModelInputException($"targets: expected {n} targets (one per sample), got {targets.Length}");
        var all = targets.ToArray();
        var gathered = new BatchGather(layers, n);
        ForEachChunk(inputs.Span, 0, n, chunkRows > 0 ? chunkRows : ChunkRows(n), ChunkPadding.RepeatLastSample, chunk =>
        {
            var graph = chunk.Plan.Graph;
            var ids = layers.Select(l => Resolve(chunk.Plan, l)).ToArray();
            foreach (var (name, id) in layers.Zip(ids))
            {
                if (graph.Values[id].Kind == ValueKind.Constant) throw new ModelInputException($"layer '{name}': a constant has no gradient");
                if (InputIsIndices && id == chunk.InputId) throw new ModelInputException($"layer '{name}': token ids have no gradient; name the embedding output instead");
            }
            var rowTargets = new long[chunk.Rows];
            for (int r = 0; r < chunk.Rows; r++) rowTargets[r] = all[chunk.First + Math.Min(r, chunk.Count - 1)];
            Tensor seed;
            try
            {
                seed = target.Seed(graph.Values[chunk.OutputId].Shape, rowTargets, ComputeBackends.Cpu);
            }
            catch (ArgumentException e)
            {
                throw new ModelInputException($"targets: {e.Message}");
            }
            using (seed)
            {
                if (chunk.Rows > chunk.Count && (seed.Shape.Rank == 0 || seed.Shape[0] != chunk.Rows))
                    throw new ModelInputException($"the output '{OutputName}' has shape {seed.Shape}, whose first dimension is not the batch of {chunk.Rows} samples; run fewer samples at once (at most {chunk.Rows})");
                // Padded rows add nothing: their seed is zero.
                int perRow = seed.Length / chunk.Rows;
                seed.Span[(chunk.Count * perRow)..].Clear();
                using var pass = chunk.Forward([], recordForBackward: true);
                using var gradients = pass.Backward(new Dictionary<int, Tensor> { [chunk.OutputId] = seed }, ids.Distinct().ToArray());
                for (int l = 0; l < layers.Count; l++) gathered.Add(l, gradients[ids[l]], chunk, summable: graph.Values[ids[l]].Kind == ValueKind.Parameter);
            }
        }, null, cancellationToken);
        return gathered.Results();
    }

    /// <summary>Gathers per-chunk values of several layers into [N, ...] tensors (or sums, for parameters).</summary>
    private sealed class BatchGather(IReadOnlyList<string> layers, int samples)
    {
        private readonly float[]?[] _data = new float[layers.Count][];
        private readonly int[]?[] _dims = new int[layers.Count][];

        public void Add(int layer, Tensor value, ModelChunk chunk, bool summable)
        {
            var span = value.Span;
            if (chunk.Count == samples && chunk.Rows == samples)
            {
                // One chunk holds every sample: the value as it is, whatever its layout.
                _data[layer] = span.ToArray();
                _dims[layer] = value.Shape.ToArray();
                return;
            }
            if (summable)
            {
                _dims[layer] ??= value.Shape.ToArray();
                var sum = _data[layer] ??= new float[span.Length];
                for (int i = 0; i < span.Length; i++) sum[i] += span[i];
                return;
            }
            if (value.Shape.Rank == 0 || value.Shape[0] != chunk.Rows)
                throw new ModelInputException($"layer '{layers[layer]}' has shape {value.Shape}, whose first dimension is not the batch of {chunk.Rows} samples; run fewer samples at once (at most {chunk.Rows})");
            int perRow = span.Length / chunk.Rows;
            var data = _data[layer];
            if (data is null)
            {
                if ((long)samples * perRow > int.MaxValue)
                    throw new ModelInputException($"layer '{layers[layer]}': {samples} samples of {perRow} values do not fit one tensor");
                data = _data[layer] = new float[samples * perRow];
                var dims = value.Shape.ToArray();
                dims[0] = samples;
                _dims[layer] = dims;
            }
            span[..(chunk.Count * perRow)].CopyTo(data.AsSpan(chunk.First * perRow));
        }

        public IReadOnlyList<KeyValuePair<string, Tensor>> Results()
            => [.. layers.Select((name, l) => new KeyValuePair<string, Tensor>(name, Tensor.FromArray(_data[l]!, _dims[l]!)))];
    }
}

/// <summary>What <see cref="ModelExecution.Forward"/> returns: each kept layer's values (tensors the caller owns) and the predicted class per sample.</summary>
/// <param name="Layers">Layer name and its values [N, ...], in the order asked.</param>
/// <param name="Predicted">Arg max of each row of the first output, or null when that output is not [N, ...].</param>
public sealed record LayerValues(IReadOnlyList<KeyValuePair<string, Tensor>> Layers, long[]? Predicted);
