using System.Runtime.InteropServices;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Winograd-transformed weights (<see cref="Conv2dWinograd"/>'s U) kept between calls, so that a model's convolutions
/// transform their weights once, not on every forward pass (at 512 x 512 channels the transform costs as much as the
/// products it saves on a batch of 8 at 7x7). An entry is found by the weights' address and reused only while the
/// weights there are bit for bit the ones it was made from: it keeps a copy and compares it on every lookup (a
/// sequential read, about a fifth of the transform's cost), so weights edited in place (pruning) or a pooled buffer
/// reused for other weights are transformed afresh.
/// <para>
/// At most <see cref="CapacityFloats"/> (copies and transforms together). A miss is kept while it fits; when it does
/// not, only weights asked for before (a second pass) displace entries, and only entries not used since that earlier
/// request, least recently used first. So a model larger than the cache keeps the convolutions it cached on every pass
/// (a cycle through more weights than fit would otherwise evict each entry just before its next use), while the
/// next model's weights take over from the last model's on their second pass.
/// </para>
/// </summary>
internal sealed unsafe class WinogradWeightCache
{
    /// <summary>Recently missed keys remembered at most (a bound on the bookkeeping; forgetting one only delays its admission).</summary>
    private const int MaxRemembered = 4096;

    private readonly Dictionary<Key, Entry> _entries = [];
    private readonly Dictionary<Key, long> _missed = [];
    private readonly Lock _gate = new();
    private long _floats;
    private long _clock;

    /// <summary>A cache holding at most <paramref name="capacityFloats"/> floats of copies and transforms.</summary>
    public WinogradWeightCache(long capacityFloats) => CapacityFloats = capacityFloats;

    /// <summary>
    /// The process-wide cache: 24M floats (96 MiB), room for resnet18's 3x3 convolutions' forward transforms within the
    /// memory budget the scale benchmark holds VGG16 to.
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
    /// <paramref name="transform"/>(weights, destination), kept when admitted, else rented (the lease returns it).
    /// </summary>
    public Lease Get(float* weights, int length, int role, (int Out, int In) shape, int transformedLength, TransformAction transform)
    {
        var key = new Key((nint)weights, role, shape, length);
        var bits = new ReadOnlySpan<int>(weights, length);
        Entry? found;
        long now;
        lock (_gate)
        {
            now = ++_clock;
            _entries.TryGetValue(key, out found);
        }
        // An entry's copy and transform never change once added, so the comparison needs no lock.
        if (found is not null && found.Transformed.Length == transformedLength && bits.SequenceEqual(found.Source))
        {
            lock (_gate) found.LastUse = now;
            return new Lease(found.Transformed, rented: false);
        }

        long floats = (long)length + transformedLength, asked;
        bool keep;
        lock (_gate) keep = Admits(key, floats, now, out asked);
        float[] transformed = keep ? GC.AllocateUninitializedArray<float>(transformedLength) : ScratchBuffer.Shared.Rent(transformedLength);
        fixed (float* destination = transformed) transform(weights, destination);
        if (!keep) return new Lease(transformed, rented: true);

        var entry = new Entry(bits.ToArray(), transformed) { LastUse = now };
        lock (_gate)
        {
            Remove(key);
            if (MakeRoom(floats, asked))
            {
                _entries[key] = entry;
                _floats += entry.Floats;
            }
        }
        return new Lease(transformed, rented: false);
    }

    /// <summary>
    /// Whether a miss of <paramref name="floats"/> is kept: when they fit beside the entries (less a stale entry of the same
    /// key), or when the key was asked for before (<paramref name="asked"/>, else -1) and entries unused since then free enough.
    /// </summary>
    private bool Admits(in Key key, long floats, long now, out long asked)
    {
        asked = _missed.TryGetValue(key, out long before) ? before : -1;
        if (_missed.Count >= MaxRemembered) _missed.Clear();
        _missed[key] = now;
        long free = CapacityFloats - _floats + (_entries.TryGetValue(key, out var stale) ? stale.Floats : 0);
        if (free >= floats) return true;
        if (asked < 0) return false;
        foreach (var (other, entry) in _entries)
            if (!other.Equals(key) && entry.LastUse < asked) free += entry.Floats;
        return free >= floats;
    }

    /// <summary>Evicts entries last used before <paramref name="asked"/>, least recently used first, until <paramref name="floats"/> fit.</summary>
    private bool MakeRoom(long floats, long asked)
    {
        while (CapacityFloats - _floats < floats)
        {
            Key? victim = null;
            long oldest = asked;
            foreach (var (key, entry) in _entries)
            {
                if (entry.LastUse < oldest)
                {
                    oldest = entry.LastUse;
                    victim = key;
                }
            }
            if (victim is null) return false;
            Remove(victim.Value);
        }
        return true;
    }

    private void Remove(in Key key)
    {
        if (_entries.Remove(key, out var entry)) _floats -= entry.Floats;
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

    /// <summary>Weights at one address, in one role, read as one shape.</summary>
    private readonly record struct Key(nint Address, int Role, (int Out, int In) Shape, int Length);

    private sealed class Entry(int[] source, float[] transformed)
    {
        public int[] Source { get; } = source;

        public float[] Transformed { get; } = transformed;

        /// <summary>The lookup clock at this entry's last use (written under the cache's lock).</summary>
        public long LastUse { get; set; }

        public long Floats => (long)Source.Length + Transformed.Length;
    }
}
