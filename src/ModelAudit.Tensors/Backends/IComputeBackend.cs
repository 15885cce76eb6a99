namespace ModelAudit.Tensors;

/// <summary>
/// The seam every kernel sits behind. Operations call the backend of their input tensors, so a device
/// backend (CUDA, a later issue) plugs in by implementing this interface, without touching callers.
/// </summary>
/// <remarks>
/// Members are added here as operations need them; each has a managed implementation in
/// <see cref="CpuBackend"/>. Implementations must be thread-safe for concurrent calls on distinct tensors.
/// </remarks>
public interface IComputeBackend
{
    /// <summary>Name used to select the backend, e.g. <c>cpu</c>.</summary>
    string Name { get; }

    /// <summary>Allocates a tensor from the backend's pool, zero-filled when <paramref name="clear"/>.</summary>
    Tensor Allocate(TensorShape shape, bool clear);

    /// <summary>Copies all elements of <paramref name="source"/> into <paramref name="destination"/> (same element count).</summary>
    void Copy(Tensor source, Tensor destination);
}
