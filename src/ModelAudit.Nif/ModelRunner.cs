using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;

namespace ModelAudit.Nif;

/// <summary>
/// Runs a model over audit data in chunks of one graph batch size (at most <see cref="MaxChunk"/> rows, and
/// fewer when a recorded forward of one sample is large, so that a chunk's recorded values, gradients and scratch
/// stay near <see cref="ChunkBudgetBytes"/>; dimension 0 of the input is the batch whatever the export declared).
/// A short last chunk is padded by repeating its last sample; padded rows are never read back.
/// </summary>
internal sealed class ModelRunner
{
    private const int MaxChunk = 128;

    /// <summary>Working set of one recorded forward and its backward: VGG16 at 224x224 gets 2 rows, the paper's MLPs 128.</summary>
    private const long ChunkBudgetBytes = 1L << 30;

    private readonly OnnxSession _session;

    public ModelRunner(OnnxSession session, float[] data, int samples, IReadOnlyList<int>? sampleShape = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(data);
        _session = session;
        if (sampleShape is not null) SampleShape = [.. sampleShape];
        else
        {
            var dims = session.Input.Dims ?? throw new ModelInputException($"{session.Model.Path}: input '{session.Input.Name}' declares no shape");
            if (dims.Skip(1).Any(d => d is null))
                throw new ModelInputException($"{session.Model.Path}: input '{session.Input.Name}' {session.Input.FormatShape()} has free dimensions after the batch; give the data's sample shape");
            SampleShape = [.. dims.Skip(1).Select(d => checked((int)d!.Value))];
        }
        SampleSize = SampleShape.Aggregate(1, (a, b) => a * b);
        if (samples < 1 || data.Length != samples * SampleSize)
            throw new ModelInputException($"input: expected [N,{string.Join(",", SampleShape)}] with N >= 1, got {data.Length} values for {samples} samples");
        Data = data;
        Samples = samples;
        Chunk = Math.Min(ChunkFor(session), samples);
        Graph = session.GraphFor(new TensorShape([Chunk, .. SampleShape]));
        Executor = new GraphExecutor(Graph);
        InputId = Graph.Inputs[0];
        OutputId = Graph.Outputs[0];
    }

    /// <summary>Rows whose recorded values (4 bytes each), gradients and scratch (about 12 bytes per value in all) fit the budget.</summary>
    private int ChunkFor(OnnxSession session)
    {
        var one = session.GraphFor(new TensorShape([1, .. SampleShape]));
        long values = one.Values.Where(v => v.Kind is not ValueKind.Constant and not ValueKind.Parameter).Sum(v => (long)v.Shape.ElementCount);
        return (int)Math.Clamp(ChunkBudgetBytes / Math.Max(1, 12 * values), 1, MaxChunk);
    }

    public int[] SampleShape { get; }

    public int SampleSize { get; }

    public float[] Data { get; }

    public int Samples { get; }

    /// <summary>Rows per graph run.</summary>
    public int Chunk { get; }

    public ComputeGraph Graph { get; }

    public GraphExecutor Executor { get; }

    public int InputId { get; }

    public int OutputId { get; }

    /// <summary>The value id of a layer name; unknown names fail with close matches.</summary>
    public int Resolve(string name) => _session.ResolveLayer(Graph, name);

    /// <summary>Calls <paramref name="body"/>(first sample, real rows, input batch) for every chunk.</summary>
    public void ForEachChunk(Action<int, int, Tensor> body)
    {
        for (int first = 0; first < Samples; first += Chunk)
        {
            int count = Math.Min(Chunk, Samples - first);
            var host = new float[Chunk * SampleSize];
            Data.AsSpan(first * SampleSize, count * SampleSize).CopyTo(host);
            var last = Data.AsSpan((first + count - 1) * SampleSize, SampleSize);
            for (int r = count; r < Chunk; r++) last.CopyTo(host.AsSpan(r * SampleSize, SampleSize));
            using (var batch = Tensor.FromArray(host, [Chunk, .. SampleShape]))
                body(first, count, batch);
            // As the audit's stream does between chunks: idle pool buffers and large-object garbage of a chunk's recorded
            // forward and backward passes would otherwise add up to the peak working set at 224x224.
            TensorPool.Shared.Trim();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
    }

    /// <summary>Units of a layer value: dimension 1 (features, or channels of a [N, C, ...] map).</summary>
    public int UnitCount(int valueId)
    {
        var shape = Graph.Values[valueId].Shape;
        if (shape.Rank < 2 || shape[0] != Chunk)
            throw new ModelInputException($"layer '{Graph.Values[valueId].Name}' has shape {shape}; NIF needs [N, units] or [N, channels, ...] with N = {Chunk}");
        return shape[1];
    }
}
