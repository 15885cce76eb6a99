using System.Buffers;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Scratch arrays of the kernels. Small ones come from <see cref="ArrayPool{T}.Shared"/>. Large ones (im2col columns of
/// a 224x224 map run to hundreds of MB) are kept in one slot per core, largest kept, and reused by any request that
/// fits: ArrayPool would keep several power-of-two arrays per core until the GC trims them under memory pressure
/// (about 1 GB at VGG16 size), and fresh arrays per call would pile up as large-object garbage between collections.
/// Memory is at most one slot per core of the largest scratch the model needs.
/// </summary>
internal sealed class ScratchBuffer
{
    /// <summary>Lengths above this (4 MiB of floats) use the slots.</summary>
    private const int LargeLength = 1 << 20;

    private readonly float[]?[] _slots = new float[]?[Math.Max(2, Environment.ProcessorCount)];

    /// <summary>The kernels' scratch.</summary>
    public static ScratchBuffer Shared { get; } = new();

    /// <summary>An array of at least <paramref name="length"/> elements; contents unspecified.</summary>
    public float[] Rent(int length)
    {
        if (length <= LargeLength) return ArrayPool<float>.Shared.Rent(length);
        for (int i = 0; i < _slots.Length; i++)
        {
            var kept = Volatile.Read(ref _slots[i]);
            if (kept is not null && kept.Length >= length && Interlocked.CompareExchange(ref _slots[i], null, kept) == kept) return kept;
        }
        return GC.AllocateUninitializedArray<float>(length);
    }

    /// <summary>Returns an array from <see cref="Rent"/>: into a free slot, or in place of a smaller kept one, or to the GC.</summary>
    public void Return(float[] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Length <= LargeLength)
        {
            ArrayPool<float>.Shared.Return(array);
            return;
        }
        for (int i = 0; i < _slots.Length; i++)
            if (Interlocked.CompareExchange(ref _slots[i], array, null) is null) return;
        for (int i = 0; i < _slots.Length; i++)
        {
            var kept = Volatile.Read(ref _slots[i]);
            if (kept is not null && kept.Length < array.Length && Interlocked.CompareExchange(ref _slots[i], array, kept) == kept) return;
        }
    }
}
