namespace ModelAudit.Tensors;

/// <summary>
/// A dense float32 tensor in row-major (C, NCHW) order. Owns its storage; dispose it to give the
/// buffer back to the backend's pool so repeated passes do not allocate.
/// </summary>
public sealed class Tensor : IDisposable
{
    /// <summary>Wraps existing storage, which must hold exactly <c>shape.ElementCount</c> elements.</summary>
    public Tensor(TensorShape shape, TensorStorage storage)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(storage);
        if (storage.Length != shape.ElementCount)
            throw new ArgumentException($"Storage holds {storage.Length} elements but shape {shape} needs {shape.ElementCount}.");
        Shape = shape;
        Storage = storage;
    }

    /// <summary>The dimensions.</summary>
    public TensorShape Shape { get; }

    /// <summary>Where the elements live.</summary>
    public TensorStorage Storage { get; }

    /// <summary>The backend that owns the storage.</summary>
    public IComputeBackend Backend => Storage.Backend;

    /// <summary>Number of elements.</summary>
    public int Length => Shape.ElementCount;

    /// <summary>The elements (host storage only).</summary>
    public Span<float> Span => Storage.AsSpan();

    /// <summary>A tensor on the default CPU backend that wraps <paramref name="data"/> without copying.</summary>
    public static Tensor FromArray(float[] data, params int[] dims)
        => new(new TensorShape(dims), new HostStorage(data, pool: null, ComputeBackends.Cpu));

    /// <summary>A zero-filled tensor on the default CPU backend.</summary>
    public static Tensor Zeros(params int[] dims) => ComputeBackends.Cpu.Allocate(new TensorShape(dims), clear: true);

    /// <summary>A tensor of one value.</summary>
    public static Tensor Scalar(float value) => FromArray([value]);

    /// <summary>Copies the elements into a new array.</summary>
    public float[] ToArray()
    {
        var result = new float[Length];
        Storage.CopyTo(result);
        return result;
    }

    /// <summary>A tensor sharing nothing with this one, with the same shape and elements, on the same backend.</summary>
    public Tensor Clone()
    {
        var copy = Backend.Allocate(Shape, clear: false);
        if (Storage.IsHostAccessible) copy.Storage.CopyFrom(Span);
        else Backend.Copy(this, copy);
        return copy;
    }

    /// <summary>The same elements viewed with another shape of equal element count (a copy; storage is not shared).</summary>
    public Tensor Reshape(params int[] dims)
    {
        var shape = new TensorShape(dims);
        if (shape.ElementCount != Length) throw new ArgumentException($"Cannot reshape {Shape} to {shape}.");
        var copy = Backend.Allocate(shape, clear: false);
        Backend.Copy(this, copy);
        return copy;
    }

    /// <summary>Returns the storage to its pool.</summary>
    public void Dispose() => Storage.Dispose();

    /// <inheritdoc/>
    public override string ToString() => $"Tensor{Shape} on {Backend.Name}";
}
