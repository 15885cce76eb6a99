using System.Globalization;

namespace ModelAudit.Tensors.Graph;

/// <summary>How the other output positions of a sample enter its target score.</summary>
public enum TargetReduction
{
    /// <summary>Sum over every other non-batch position (e.g. a class's score summed over time or over pixels).</summary>
    Sum,

    /// <summary>Mean over every other non-batch position.</summary>
    Mean,

    /// <summary>No class axis: the target indexes the sample's flattened output (one output element per sample).</summary>
    Flat,
}

/// <summary>
/// The scalar an attribution or gradient explains, per sample i with target t_i: the output's positions whose
/// class axis index is t_i, summed (or averaged) over every other non-batch axis; or, <see cref="TargetReduction.Flat"/>,
/// the single element t_i of the flattened sample. For an output [N, C] with the default (axis 1, sum) it is
/// output[i, t_i], Captum's plain <c>target</c>; for [N, T, C] with axis -1 it is sum_t output[i, t, t_i], what
/// Captum computes with a forward function that returns <c>output[..., c].sum(1)</c>. Samples never mix: the seed
/// of the reverse pass holds, per sample, the weight of every output element in its score.
/// </summary>
/// <param name="Axis">The class axis of the output (negative counts from the end; never the batch axis). Ignored for <see cref="TargetReduction.Flat"/>.</param>
/// <param name="Reduction">How the other positions enter.</param>
public sealed record OutputTarget(int Axis = 1, TargetReduction Reduction = TargetReduction.Sum)
{
    /// <summary>output[i, t_i] of an output [N, C], and the class score summed over every other axis otherwise.</summary>
    public static OutputTarget Default { get; } = new();

    /// <summary>The class axis for an output of this shape (non-negative), or -1 for <see cref="TargetReduction.Flat"/>.</summary>
    /// <exception cref="ArgumentException">The axis is the batch axis or outside the output's rank; the message names the shape.</exception>
    public int ClassAxis(TensorShape output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.Rank < 2) throw new ArgumentException($"a target needs an output with a batch axis and at least one more; the output is {output}");
        if (Reduction == TargetReduction.Flat) return -1;
        int axis = Axis < 0 ? Axis + output.Rank : Axis;
        if (axis < 1 || axis >= output.Rank)
            throw new ArgumentException($"target axis {Axis} is {(axis == 0 ? "the batch axis" : "outside the output")} of output {output}; give an axis from 1 to {output.Rank - 1} (or -1 for the last)");
        return axis;
    }

    /// <summary>The number of possible targets: the size of the class axis, or the elements of one sample for <see cref="TargetReduction.Flat"/>.</summary>
    public int TargetCount(TensorShape output)
    {
        int axis = ClassAxis(output);
        return axis < 0 ? output.ElementCount / output[0] : output[axis];
    }

    /// <summary>The reverse-pass seed: each output element's weight in its sample's score.</summary>
    /// <exception cref="ArgumentException">Targets do not match the batch, or one is outside [0, <see cref="TargetCount"/>).</exception>
    public Tensor Seed(TensorShape output, ReadOnlySpan<long> targets, IComputeBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var host = Weights(output, targets);
        var seed = backend.Allocate(output, clear: false);
        seed.Storage.CopyFrom(host);
        return seed;
    }

    /// <summary>Each sample's score: the seed-weighted sum of its output elements (added in double, in element order).</summary>
    public float[] Scores(TensorShape output, ReadOnlySpan<float> values, ReadOnlySpan<long> targets)
    {
        var weights = Weights(output, targets);
        int perSample = output.ElementCount / output[0];
        var scores = new float[output[0]];
        for (int i = 0; i < scores.Length; i++)
        {
            double sum = 0;
            for (int e = i * perSample; e < (i + 1) * perSample; e++)
                if (weights[e] != 0) sum += (double)weights[e] * values[e];
            scores[i] = (float)sum;
        }
        return scores;
    }

    /// <summary>Each sample's predicted target: the arg max (first on ties) of its per-target scores.</summary>
    public long[] Predicted(TensorShape output, ReadOnlySpan<float> values)
    {
        ArgumentNullException.ThrowIfNull(output);
        int count = TargetCount(output);
        int samples = output[0];
        var result = new long[samples];
        var scores = new double[count];
        int axis = ClassAxis(output);
        int perSample = output.ElementCount / samples;
        var (_, inner) = Split(output, axis);
        for (int i = 0; i < samples; i++)
        {
            Array.Clear(scores);
            var sample = values.Slice(i * perSample, perSample);
            for (int e = 0; e < perSample; e++)
                scores[axis < 0 ? e : e / inner % count] += sample[e];
            int best = 0;
            for (int c = 1; c < count; c++) if (scores[c] > scores[best]) best = c;
            result[i] = best;
        }
        return result;
    }

    /// <summary>The target in words, e.g. <c>axis -1, sum</c>, for summaries.</summary>
    public override string ToString()
        => Reduction == TargetReduction.Flat ? "flat" : string.Create(CultureInfo.InvariantCulture, $"axis {Axis}, {Reduction.ToString().ToLowerInvariant()}");

    private float[] Weights(TensorShape output, ReadOnlySpan<long> targets)
    {
        ArgumentNullException.ThrowIfNull(output);
        int axis = ClassAxis(output);
        int samples = output[0];
        if (targets.Length != samples) throw new ArgumentException($"expected {samples} targets (one per sample), got {targets.Length}");
        int count = TargetCount(output);
        for (int i = 0; i < targets.Length; i++)
            if (targets[i] < 0 || targets[i] >= count)
                throw new ArgumentException($"target {targets[i]} of sample {i} is outside [0, {count})");
        int perSample = output.ElementCount / samples;
        var host = new float[output.ElementCount];
        if (axis < 0)
        {
            for (int i = 0; i < samples; i++) host[i * perSample + (int)targets[i]] = 1f;
            return host;
        }
        var (outer, inner) = Split(output, axis);
        // outer: positions of the axes between the batch and the class axis; inner: positions after it.
        float weight = Reduction == TargetReduction.Mean ? 1f / (outer * inner) : 1f;
        for (int i = 0; i < samples; i++)
            for (int o = 0; o < outer; o++)
            {
                int start = i * perSample + (o * count + (int)targets[i]) * inner;
                host.AsSpan(start, inner).Fill(weight);
            }
        return host;
    }

    private static (int Outer, int Inner) Split(TensorShape output, int axis)
    {
        if (axis < 0) return (1, 1);
        int outer = 1, inner = 1;
        for (int d = 1; d < axis; d++) outer *= output[d];
        for (int d = axis + 1; d < output.Rank; d++) inner *= output[d];
        return (outer, inner);
    }
}
