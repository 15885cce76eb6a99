using ModelAudit.Onnx;
using ModelAudit.Tensors;

namespace ModelAudit.Analysis.Attribution;

/// <summary>
/// The inputs and baselines of a path-integral attribution, flattened per sample, with the batch
/// rows for any set of points on the straight path between them.
/// </summary>
internal sealed class PathInputs
{
    private readonly float[] _inputs;
    private readonly float[] _baselines;

    /// <summary>
    /// <paramref name="baseline"/> holds one value (a scalar baseline), one sample (shared) or one row per sample.
    /// </summary>
    public PathInputs(Tensor inputs, TensorShape sampleShape, ReadOnlySpan<float> baseline)
    {
        SampleSize = sampleShape.ElementCount;
        if (inputs.Shape.Rank != sampleShape.Rank + 1 || !inputs.Shape.Dims[1..].SequenceEqual(sampleShape.Dims))
            throw new ModelInputException($"input shape {inputs.Shape} does not match the model's sample shape {sampleShape} with a leading batch dimension.");
        Samples = inputs.Shape[0];
        SampleShape = sampleShape;
        _inputs = inputs.ToArray();
        _baselines = new float[_inputs.Length];
        if (baseline.Length == 1) _baselines.AsSpan().Fill(baseline[0]);
        else if (baseline.Length == SampleSize)
        {
            for (int i = 0; i < Samples; i++) baseline.CopyTo(_baselines.AsSpan(i * SampleSize, SampleSize));
        }
        else if (baseline.Length == _inputs.Length) baseline.CopyTo(_baselines);
        else throw new ModelInputException($"baseline has {baseline.Length} elements; expected 1, one sample ({SampleSize}) or one per sample ({_inputs.Length}).");
    }

    /// <summary>Number of samples.</summary>
    public int Samples { get; }

    /// <summary>Elements per sample.</summary>
    public int SampleSize { get; }

    /// <summary>Shape of one sample.</summary>
    public TensorShape SampleShape { get; }

    /// <summary>Sample <paramref name="i"/> of the inputs.</summary>
    public ReadOnlySpan<float> Input(int i) => _inputs.AsSpan(i * SampleSize, SampleSize);

    /// <summary>Sample <paramref name="i"/> of the baselines.</summary>
    public ReadOnlySpan<float> Baseline(int i) => _baselines.AsSpan(i * SampleSize, SampleSize);

    /// <summary>
    /// A batch of rows x' + alpha (x - x') for samples [first, first+count) at each alpha, point-major
    /// (row = point * count + sample), computed in float32 in Captum's order.
    /// </summary>
    public Tensor Rows(IComputeBackend backend, ReadOnlySpan<double> alphas, int first, int count)
    {
        var dims = new int[SampleShape.Rank + 1];
        dims[0] = alphas.Length * count;
        SampleShape.Dims.CopyTo(dims.AsSpan(1));
        var rows = backend.Allocate(new TensorShape(dims), clear: false);
        // Pooled: the sweep builds one such batch per pass, of the same length every time.
        var host = TensorPool.Shared.Rent(rows.Length, clear: false);
        for (int p = 0; p < alphas.Length; p++)
        {
            float a = (float)alphas[p];
            for (int s = 0; s < count; s++)
            {
                var x = Input(first + s);
                var b = Baseline(first + s);
                var dst = host.AsSpan((p * count + s) * SampleSize, SampleSize);
                for (int e = 0; e < dst.Length; e++) dst[e] = b[e] + a * (x[e] - b[e]);
            }
        }
        rows.Storage.CopyFrom(host.AsSpan(0, rows.Length));
        TensorPool.Shared.Return(host);
        return rows;
    }

    /// <summary>The inputs (or baselines) of samples [first, first+count) as one batch.</summary>
    public Tensor Endpoints(IComputeBackend backend, bool baseline, int first, int count)
    {
        var dims = new int[SampleShape.Rank + 1];
        dims[0] = count;
        SampleShape.Dims.CopyTo(dims.AsSpan(1));
        var batch = backend.Allocate(new TensorShape(dims), clear: false);
        batch.Storage.CopyFrom((baseline ? _baselines : _inputs).AsSpan(first * SampleSize, count * SampleSize));
        return batch;
    }
}
