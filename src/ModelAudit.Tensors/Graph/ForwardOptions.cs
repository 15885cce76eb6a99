namespace ModelAudit.Tensors.Graph;

/// <summary>What a forward pass keeps.</summary>
public sealed class ForwardOptions
{
    /// <summary>Values (besides graph outputs) to keep readable from the <see cref="ForwardPass"/>.</summary>
    public IReadOnlyCollection<int> Keep { get; init; } = [];

    /// <summary>Keep what <see cref="ForwardPass.Backward"/> needs (the caller's inputs must then stay alive until the pass is disposed).</summary>
    public bool RecordForBackward { get; init; }
}
