namespace ModelAudit.Tensors;

/// <summary>The managed CPU backend: kernels on TensorPrimitives and hardware intrinsics, buffers from <see cref="TensorPool.Shared"/>.</summary>
public sealed partial class CpuBackend : IComputeBackend
{
    /// <inheritdoc/>
    public string Name => "cpu";

    /// <inheritdoc/>
    public Tensor Allocate(TensorShape shape, bool clear)
        => new(shape, new HostStorage(TensorPool.Shared.Rent(shape.ElementCount, clear), TensorPool.Shared, this));

    /// <inheritdoc/>
    public void Copy(Tensor source, Tensor destination)
    {
        if (source.Length != destination.Length) throw new ArgumentException($"Copy from {source.Shape} to {destination.Shape}: element counts differ.");
        source.Span.CopyTo(destination.Span);
    }
}
