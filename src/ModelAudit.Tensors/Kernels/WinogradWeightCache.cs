using System.Runtime.InteropServices;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Winograd-transformed weights (<see cref="Conv2dWinograd"/>'s U) kept between calls, so that a model's convolutions
/// transform their weights once, not on every forward pass (at 512 x 512 channels the transform costs as much as the
/// products it saves on a batch of 8 at 7x7). An entry is found by the weights' address and reused only while the
/// weights there are bit for bit the ones it was made from: it keeps a copy and compares it on every lookup (a
/// sequential read, about a fifth of the transform's cost), so weights edited in place (pruning) or a pooled buffer
/// reused for other weights are transformed afresh. Entries are added while they fit in
/// <see cref="CapacityFloats"/> (copies and transforms together), never evicted: a model larger than that keeps its
/// first convolutions cached and transforms the rest on each call, without churning.
/// </summary>
internal sealed unsafe class WinogradWeightCache
{
    private readonly List<Entry> _entries = [];
    private readonly Lock _gate = new();
    private long _floats;

    /// <summary>A cache holding at most <paramref name="capacityFloats"/> floats of copies and transforms.</summary>
    public WinogradWeightCache(long capacityFloats) => CapacityFloats = capacityFloats;

    /// <summary>
    /// The process-wide cache: 24M floats (96 MiB), room for resnet18's or resnet50's 3x3 convolutions (forward and
    /// input gradient) within the memory budget the scale benchmark holds VGG16 to.
    /// </summary>
    public static WinogradWeightCache Shared { get; } = new(24L << 20);

    /// <summary>The most floats the entries may hold.</summary>
    public long CapacityFloats { get; }

    /// <summary>Floats the entries hold now.</summary>
    public long Floats
    {
        get
        {
            lock (_gate) return _floats;
        }
    }

    /// <summary>
    /// The transform of the <paramref name="length"/> weights at <paramref name="weights"/> in role
    /// <paramref name="role"/> (the forward convolution's, or the turned one of its input gradient) for a convolution of
    /// <paramref name="shape"/> (output, input channels: the same floats read as another shape transform differently),
    /// of <paramref name="transformedLength"/> floats: the cached array (not to be written), or one made by
    /// <paramref name="transform"/>(weights, destination), kept when it fits, else rented (the lease returns it).
    /// </summary>
    public Lease Get(float* weights, int length, int role, (int Out, int In) shape, int transformedLength, TransformAction transform)
    {
        var bits = new ReadOnlySpan<int>(weights, length);
        Entry? found;
        lock (_gate) found = _entries.Find(e => e.Address == (nint)weights && e.Role == role && e.Shape == shape && e.Source.Length == length);
        // Entries never change once added, so the comparison needs no lock.
        if (found is not null && found.Transformed.Length == transformedLength && bits.SequenceEqual(found.Source)) return new Lease(found.Transformed, rented: false);

        bool keep;
        lock (_gate) keep = _floats - (found is null ? 0 : found.Floats) + length + transformedLength <= CapacityFloats;
        float[] transformed = keep ? GC.AllocateUninitializedArray<float>(transformedLength) : ScratchBuffer.Shared.Rent(transformedLength);
        fixed (float* destination = transformed) transform(weights, destination);
        if (!keep) return new Lease(transformed, rented: true);

        var entry = new Entry((nint)weights, role, shape, bits.ToArray(), transformed);
        lock (_gate)
        {
            int at = _entries.FindIndex(e => e.Address == entry.Address && e.Role == role && e.Shape == shape);
            if (at >= 0)
            {
                _floats -= _entries[at].Floats;
                _entries.RemoveAt(at);
            }
            if (_floats + entry.Floats <= CapacityFloats)
            {
                _entries.Add(entry);
                _floats += entry.Floats;
            }
        }
        return new Lease(transformed, rented: false);
    }

    /// <summary>Fills the transform (second pointer) from the weights (first pointer).</summary>
    public delegate void TransformAction(float* weights, float* transformed);

    /// <summary>Transformed weights in use: <see cref="Array"/> is read through a fixed pointer; disposing returns a rented one.</summary>
    public readonly struct Lease(float[] array, bool rented) : IDisposable
    {
        /// <summary>The transformed weights (at least the requested length).</summary>
        public float[] Array { get; } = array;

        /// <inheritdoc/>
        public void Dispose()
        {
            if (rented) ScratchBuffer.Shared.Return(Array);
        }
    }

    private sealed class Entry(nint address, int role, (int Out, int In) shape, int[] source, float[] transformed)
    {
        public nint Address { get; } = address;

        public int Role { get; } = role;

        public (int Out, int In) Shape { get; } = shape;

        public int[] Source { get; } = source;

        public float[] Transformed { get; } = transformed;

        public long Floats => (long)Source.Length + Transformed.Length;
    }
}
