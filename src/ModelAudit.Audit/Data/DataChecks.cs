using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Audit.Data;

/// <summary>
/// Checks of data files shared by the audit and every command that reads samples: regular files only, finite
/// inputs, samples per class (labels and targets are read by <see cref="ClassLabels"/>). Each error names the file
/// and the first offending sample.
/// </summary>
public static class DataChecks
{
    /// <summary>Throws unless <paramref name="path"/> is an existing regular file (not a folder, FIFO or device).</summary>
    /// <exception cref="DataFileException">It is not; the message names it.</exception>
    public static void RequireRegularFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (RegularFile.Problem(path) is { } problem) throw new DataFileException($"{path.Replace('\0', '?')}: {problem}");
    }

    /// <summary>Reads a .npy file after checking that it is a regular file.</summary>
    /// <exception cref="DataFileException">Not a regular file, or not a readable .npy.</exception>
    public static NpyArray ReadNpy(string path)
    {
        RequireRegularFile(path);
        return NpyFile.Read(path);
    }

    /// <summary>Throws when a float element is NaN or infinite, naming the first sample (index along axis 0) that holds one.</summary>
    /// <exception cref="ModelInputException">A value is not finite.</exception>
    public static void RequireFinite(NpyArray array, string source)
    {
        ArgumentNullException.ThrowIfNull(array);
        int index = array.Data switch
        {
            float[] f => FirstNonFinite(f),
            double[] d => FirstNonFinite(d),
            _ => -1,
        };
        if (index < 0) return;
        int samples = array.Shape.Length > 0 ? array.Shape[0] : 1;
        int perSample = samples > 0 ? Math.Max(1, array.Length / samples) : 1;
        throw new ModelInputException($"{source}: sample {index / perSample} holds a NaN or infinite value (element {index}; float64 values beyond float32 count too); inputs must be finite");
    }

    /// <summary>Throws when a tensor holds a NaN or infinite value (e.g. after preprocessing), naming the first sample.</summary>
    /// <exception cref="ModelInputException">A value is not finite.</exception>
    public static void RequireFinite(ReadOnlySpan<float> values, int samples, string source, string what)
    {
        int index = FirstNonFinite(values);
        if (index < 0) return;
        int perSample = samples > 0 ? Math.Max(1, values.Length / samples) : 1;
        throw new ModelInputException($"{source}: sample {index / perSample} {what}");
    }

    /// <summary>Throws when a class present in <paramref name="labels"/> has fewer than <paramref name="minimum"/> samples (the lowest such class is named).</summary>
    /// <param name="labels">Class per sample.</param>
    /// <param name="minimum">The fewest samples of every class present.</param>
    /// <param name="source">The labels' file, for the message.</param>
    /// <param name="reason">What needs them, e.g. <c>--estimator gaussian</c>.</param>
    /// <exception cref="ModelInputException">A class has too few samples.</exception>
    public static void RequireSamplesPerClass(IReadOnlyList<long> labels, int minimum, string source, string reason)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var few = labels.GroupBy(l => l).Select(g => (Class: g.Key, Count: g.Count())).Where(g => g.Count < minimum).OrderBy(g => g.Class).ToList();
        if (few.Count > 0)
            throw new ModelInputException($"{source}: {reason} needs at least {minimum} samples of every class; class {few[0].Class} has {few[0].Count}");
    }

    /// <summary>
    /// The model's predicted class per sample: the arg-max of a first output [N, C], or with <paramref name="target"/> of
    /// the per-target scores; null when the output is not a matrix and no target is given.
    /// </summary>
    public static long[]? Predictions(OnnxSession session, Tensor inputs, OutputTarget? target = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(inputs);
        // In chunks, as every other pass over the samples: one batch of hundreds of samples at 224x224 would hold
        // gigabytes of feature maps.
        var execution = Analysis.ModelExecution.ForData(session, inputs);
        int n = inputs.Shape[0];
        long[]? predicted = new long[n];
        execution.ForEachChunk(inputs.Span, 0, n, execution.ChunkRows(n), Analysis.ChunkPadding.RepeatLastSample, chunk =>
        {
            if (predicted is null) return;
            using var pass = chunk.Forward([chunk.OutputId]);
            var logits = pass[chunk.OutputId];
            long[]? rows = target is not null ? target.Predicted(logits.Shape, logits.Span)
                : logits.Shape.Rank == 2 ? Analysis.Attribution.AttributionTarget.Predicted(logits.Span, logits.Shape[1]) : null;
            if (rows is null) predicted = null;
            else rows.AsSpan(0, chunk.Count).CopyTo(predicted.AsSpan(chunk.First));
        }, null, CancellationToken.None);
        return predicted;
    }

    /// <summary>The number of classes: C of the model's first output [N, C] at this input shape, or null when it is not a matrix.</summary>
    public static int? ClassCount(OnnxSession session, TensorShape inputShape) => ClassCount(session, inputShape, null);

    /// <summary>The number of targets <paramref name="target"/> has on the model's first output at this input shape (as <see cref="ClassCount(OnnxSession, TensorShape)"/> when null).</summary>
    /// <exception cref="ModelInputException">The target's axis does not fit the output.</exception>
    public static int? ClassCount(OnnxSession session, TensorShape inputShape, OutputTarget? target)
    {
        ArgumentNullException.ThrowIfNull(session);
        var graph = session.GraphFor(inputShape);
        var shape = graph.Values[graph.Outputs[0]].Shape;
        if (target is null) return shape.Rank == 2 ? shape[1] : null;
        try
        {
            return target.TargetCount(shape);
        }
        catch (ArgumentException e)
        {
            throw new ModelInputException($"{session.Model.Path}: {e.Message}");
        }
    }

    private static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    private static int FirstNonFinite(ReadOnlySpan<double> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite((float)values[i])) return i;
        return -1;
    }
}
