namespace ModelAudit.Tensors.Graph;

/// <summary>Ready-made backward seeds.</summary>
public static class GradientSeeds
{
    /// <summary>
    /// The seed for "sum over samples of logits[i, targets[i]]": a [N, C] tensor with a one in row i at
    /// column targets[i] and zeros elsewhere, on the default CPU backend.
    /// </summary>
    /// <exception cref="ArgumentException">The shape is not [N, C] with N = targets.Length, or a target is outside [0, C).</exception>
    public static Tensor SelectedLogits(TensorShape logitsShape, ReadOnlySpan<long> targets)
        => SelectedLogits(logitsShape, targets, ComputeBackends.Cpu);

    /// <summary>As <see cref="SelectedLogits(TensorShape, ReadOnlySpan{long})"/>, allocated on <paramref name="backend"/>.</summary>
    public static Tensor SelectedLogits(TensorShape logitsShape, ReadOnlySpan<long> targets, IComputeBackend backend)
    {
        ArgumentNullException.ThrowIfNull(logitsShape);
        if (logitsShape.Rank != 2 || logitsShape[0] != targets.Length)
            throw new ArgumentException($"Logits shape {logitsShape} must be [N, C] with N = {targets.Length} targets.", nameof(logitsShape));
        int classes = logitsShape[1];
        var host = new float[logitsShape.ElementCount];
        for (int i = 0; i < targets.Length; i++)
        {
            if (targets[i] < 0 || targets[i] >= classes)
                throw new ArgumentException($"Target {targets[i]} of sample {i} is outside [0, {classes}).", nameof(targets));
            host[i * classes + (int)targets[i]] = 1f;
        }
        var seed = backend.Allocate(logitsShape, clear: false);
        seed.Storage.CopyFrom(host);
        return seed;
    }
}
