namespace ModelAudit.Tensors;

/// <summary>
/// Where a tensor's elements live. The CPU backend keeps them in a pooled managed array; a device
/// backend keeps them in device memory and copies to the host only when asked.
/// </summary>
public abstract class TensorStorage : IDisposable
{
    /// <summary>Number of float elements.</summary>
    public abstract int Length { get; }

    /// <summary>The backend that owns this storage.</summary>
    public abstract IComputeBackend Backend { get; }

    /// <summary>True when <see cref="AsSpan"/> gives direct access to the elements.</summary>
    public abstract bool IsHostAccessible { get; }

    /// <summary>The elements, for host-accessible storage.</summary>
    public abstract Span<float> AsSpan();

    /// <summary>Copies the elements to a host span.</summary>
    public abstract void CopyTo(Span<float> destination);

    /// <summary>Copies host elements into this storage.</summary>
    public abstract void CopyFrom(ReadOnlySpan<float> source);

    /// <summary>Releases the storage (back to its pool).</summary>
    public abstract void Dispose();
}

/// <summary>Storage in a pooled managed array.</summary>
public sealed class HostStorage : TensorStorage
{
    private float[]? _buffer;
    private readonly TensorPool? _pool;
    private readonly IComputeBackend _backend;

    /// <summary>Wraps <paramref name="buffer"/>; it is returned to <paramref name="pool"/> on dispose when a pool is given.</summary>
    public HostStorage(float[] buffer, TensorPool? pool, IComputeBackend backend)
    {
        _buffer = buffer;
        _pool = pool;
        _backend = backend;
    }

    /// <inheritdoc/>
    public override int Length => Buffer.Length;

    /// <inheritdoc/>
    public override IComputeBackend Backend => _backend;

    /// <inheritdoc/>
    public override bool IsHostAccessible => true;

    /// <summary>The underlying array (exactly <see cref="Length"/> long).</summary>
    public float[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(HostStorage));

    /// <inheritdoc/>
    public override Span<float> AsSpan() => Buffer;

    /// <inheritdoc/>
    public override void CopyTo(Span<float> destination) => Buffer.AsSpan().CopyTo(destination);

    /// <inheritdoc/>
    public override void CopyFrom(ReadOnlySpan<float> source) => source.CopyTo(Buffer);

    /// <inheritdoc/>
    public override void Dispose()
    {
        var b = Interlocked.Exchange(ref _buffer, null);
        if (b is not null) _pool?.Return(b);
    }
}
