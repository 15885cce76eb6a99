using System.Collections.Concurrent;

namespace ModelAudit.Tensors;

/// <summary>
/// Pools float buffers by exact length. Passes over the same model ask for the same lengths every
/// time, so exact-length buckets give full reuse without the up-to-2x waste of power-of-two pools.
/// </summary>
public sealed class TensorPool
{
    private readonly ConcurrentDictionary<int, ConcurrentBag<float[]>> _buckets = new();
    private long _retainedElements;
    private long _rents;
    private long _freshAllocations;

    /// <summary>The process-wide pool used by the CPU backend.</summary>
    public static TensorPool Shared { get; } = new();

    /// <summary>
    /// Most elements kept idle in the pool; buffers returned beyond it are left to the GC. 1 GiB of floats: one
    /// forward+backward pass of ResNet50 or VGG16 at 224x224 on a few rows, which an audit repeats for every path
    /// point, within the audit's 3 GB working-set bar.
    /// </summary>
    public long MaxRetainedElements { get; set; } = (1L << 30) / sizeof(float);

    /// <summary>Elements currently held idle.</summary>
    public long RetainedElements => Interlocked.Read(ref _retainedElements);

    /// <summary>Number of non-empty rents so far.</summary>
    internal long RentCount => Interlocked.Read(ref _rents);

    /// <summary>Number of rents the pool could not serve from an idle buffer (new arrays allocated).</summary>
    internal long FreshAllocationCount => Interlocked.Read(ref _freshAllocations);

    /// <summary>Rents a buffer of exactly <paramref name="length"/> elements. Contents are unspecified unless <paramref name="clear"/>.</summary>
    public float[] Rent(int length, bool clear)
    {
        if (length == 0) return [];
        Interlocked.Increment(ref _rents);
        if (_buckets.TryGetValue(length, out var bag) && bag.TryTake(out var buffer))
        {
            Interlocked.Add(ref _retainedElements, -length);
            if (clear) Array.Clear(buffer);
            return buffer;
        }
        Interlocked.Increment(ref _freshAllocations);
        // GC.AllocateUninitializedArray skips zeroing when the caller overwrites everything anyway.
        return clear ? new float[length] : GC.AllocateUninitializedArray<float>(length);
    }

    /// <summary>Returns a buffer obtained from <see cref="Rent"/>.</summary>
    public void Return(float[] buffer)
    {
        if (buffer.Length == 0) return;
        if (Interlocked.Add(ref _retainedElements, buffer.Length) > MaxRetainedElements)
        {
            Interlocked.Add(ref _retainedElements, -buffer.Length);
            return;
        }
        _buckets.GetOrAdd(buffer.Length, _ => new ConcurrentBag<float[]>()).Add(buffer);
    }

    /// <summary>Drops every idle buffer.</summary>
    public void Trim()
    {
        // Drained, not just dropped: a bag keeps its items in thread-local queues that outlive the bag until its
        // finalizer has run, so dropped buffers would stay alive for another collection or two.
        foreach (var bag in _buckets.Values)
        {
            while (bag.TryTake(out var buffer)) Interlocked.Add(ref _retainedElements, -buffer.Length);
        }
    }
}
