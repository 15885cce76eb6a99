using System.Runtime.InteropServices;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Winograd-transformed weights (<see cref="Conv2dWinograd"/>'s U) kept between calls, so that a model's convolutions
/// transform their weights once, not on every forward pass (at 512 x 512 channels the transform costs as much as the
/// products it saves on a batch of 8 at 7x7). An entry is found by the weights' address and reused only while the
/// weights there are bit for bit the ones it was made from: it keeps a copy and compares it on every lookup (a
/// sequential read, about a fifth of the transform's cost), so weights edited in place (pruning) or a pooled buffer
/// reused for other weights are transformed afresh. The roles of one set of weights (the forward convolution's and the
/// turned one of its input gradient) share that copy while their weights are the same bits.
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
    private readonly Dictionary<(nint Address, int Length), Copy> _copies = [];
    private readonly Lock _gate = new();
    private long _floats;
    private long _clock;

    /// <summary>A cache holding at most <paramref name="capacityFloats"/> floats of copies and transforms.</summary>
    public WinogradWeightCache(long capacityFloats) => CapacityFloats = capacityFloats;

    /// <summary>
    /// The process-wide cache: 40M floats (160 MiB). resnet18's 3x3 convolutions take 43M in both roles (copies shared),
    /// resnet50's 38M; at 24M resnet18's turned transforms missed on every backward pass (its forward + backward 6% slower
    /// at one thread, in-process A/B). VGG16's 67M do not fit at any size the scale benchmark's 3 GiB allows: at 48M its
    /// peak working set rose by 357 MiB (N = 64), at 40M by 129 MiB, at 32M by 67 MiB.
    /// </summary>
    public static WinogradWeightCache Shared { get; } = new(40L << 20);

    /// <summary>The most floats the entries may hold.</summary>
    public long CapacityFloats { get; }

    /// <summary>Floats the entries hold now (each shared copy counted once).</summary>
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
        Copy? other;
        long now;
        lock (_gate)
        {
            now = ++_clock;
            _entries.TryGetValue(key, out found);
            _copies.TryGetValue(((nint)weights, length), out other);
        }
        // Copies and transforms never change once made, so the comparisons need no lock.
        if (found is not null && found.Transformed.Length == transformedLength && bits.SequenceEqual(found.Copy.Bits))
        {
            lock (_gate) found.LastUse = now;
            return new Lease(found.Transformed, rented: false);
        }

        // Another role's copy of these very bits is shared (one more comparison, on a miss only).
        bool share = other is not null && other != found?.Copy && bits.SequenceEqual(other.Bits);
        long floats = transformedLength + (share ? 0 : length), asked;
        bool keep;
        lock (_gate) keep = Admits(key, floats, now, out asked);
        float[] transformed = keep ? GC.AllocateUninitializedArray<float>(transformedLength) : ScratchBuffer.Shared.Rent(transformedLength);
        fixed (float* destination = transformed) transform(weights, destination);
        if (!keep) return new Lease(transformed, rented: true);

        var copy = share ? other! : new Copy(((nint)weights, length), bits.ToArray());
        var entry = new Entry(copy, transformed) { LastUse = now };
        lock (_gate)
        {
            Remove(key);
            // The copy is counted (and held) before room is made, so evicting its other user cannot drop it.
            Hold(copy);
            if (MakeRoom(transformedLength, asked))
            {
                _entries[key] = entry;
                _floats += transformedLength;
                _copies[copy.At] = copy;
            }
            else
            {
                Release(copy);
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
        long free = CapacityFloats - _floats + (_entries.TryGetValue(key, out var stale) ? stale.Frees : 0);
        if (free >= floats) return true;
        if (asked < 0) return false;
        foreach (var (other, entry) in _entries)
            if (!other.Equals(key) && entry.LastUse < asked) free += entry.Frees;
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
        if (!_entries.Remove(key, out var entry)) return;
        _floats -= entry.Transformed.Length;
        Release(entry.Copy);
    }

    /// <summary>One more entry uses <paramref name="copy"/>: counted when it is the first.</summary>
    private void Hold(Copy copy)
    {
        if (copy.Users++ == 0) _floats += copy.Bits.Length;
    }

    /// <summary>One entry fewer uses <paramref name="copy"/>: dropped with the last.</summary>
    private void Release(Copy copy)
    {
        if (--copy.Users > 0) return;
        _floats -= copy.Bits.Length;
        if (_copies.TryGetValue(copy.At, out var kept) && kept == copy) _copies.Remove(copy.At);
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

    /// <summary>
    /// A copy of the weights at an address as they were transformed, and how many entries were made from it (written under
    /// the cache's lock); <see cref="_copies"/> maps the address to the newest one for other roles to share.
    /// </summary>
    private sealed class Copy((nint Address, int Length) at, int[] bits)
    {
        public (nint Address, int Length) At { get; } = at;

        public int[] Bits { get; } = bits;

        public int Users { get; set; }
    }

    private sealed class Entry(Copy copy, float[] transformed)
    {
        public Copy Copy { get; } = copy;

        public float[] Transformed { get; } = transformed;

        /// <summary>The lookup clock at this entry's last use (written under the cache's lock).</summary>
        public long LastUse { get; set; }

        /// <summary>Floats its eviction frees: its transform, and its copy when no other entry shares it.</summary>
        public long Frees => Transformed.Length + (Copy.Users == 1 ? Copy.Bits.Length : 0);
    }
}
