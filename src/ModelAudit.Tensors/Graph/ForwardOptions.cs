namespace ModelAudit.Tensors.Graph;

/// <summary>What a forward pass keeps.</summary>
public sealed class ForwardOptions
{
    /// <summary>Values (besides graph outputs) to keep readable from the <see cref="ForwardPass"/>.</summary>
    public IReadOnlyCollection<int> Keep { get; init; } = [];

    /// <summary>Keep what <see cref="ForwardPass.Backward"/> needs (the caller's inputs must then stay alive until the pass is disposed).</summary>
    public bool RecordForBackward { get; init; }

    /// <summary>
    /// Intermediate values whose computed value is replaced by the caller's tensor (shaped as the value), as a
    /// forward hook that returns a new layer output does: later nodes read the replacement, a node all of whose
    /// outputs are replaced is skipped, and a reverse pass stops there. Layer attribution from an inner layer
    /// (the embedding output of a token model) interpolates that layer this way. The tensors stay the caller's.
    /// </summary>
    public IReadOnlyDictionary<int, Tensor> Replace { get; init; } = new Dictionary<int, Tensor>();

    /// <summary>Told when each step of the pass (a node, or a convolution with the nodes fused into it) starts and ends; for benchmarks' per-step breakdowns.</summary>
    internal IForwardStepObserver? StepObserver { get; init; }
}

/// <summary>Watches the steps of a forward pass (see <see cref="ForwardOptions.StepObserver"/>).</summary>
internal interface IForwardStepObserver
{
    /// <summary>A step is about to run.</summary>
    void Starting();

    /// <summary>The step that started last has run: <paramref name="node"/>, with the nodes of <paramref name="fusion"/> when it ran fused.</summary>
    void Finished(GraphNode node, ConvolutionFusion? fusion);
}
