using System.Buffers;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Scratch arrays of the kernels: small ones from <see cref="ArrayPool{T}.Shared"/>, large ones (im2col columns of a
/// 224x224 map run to hundreds of MB) from <see cref="TensorPool.Shared"/>. ArrayPool keeps large arrays in per-core
/// stacks, rounded up to a power of two, until the GC trims them under memory pressure: at VGG16 size that held about
/// 1 GB between the passes of an audit. TensorPool keeps exact lengths under a cap and is trimmed between chunks.
/// </summary>
internal static class ScratchBuffer
{
    /// <summary>Lengths above this (4 MiB of floats) go to <see cref="TensorPool.Shared"/>.</summary>
    private const int LargeLength = 1 << 20;

    /// <summary>An array of at least <paramref name="length"/> elements (exactly that many when large); contents unspecified.</summary>
    public static float[] Rent(int length)
        => length > LargeLength ? TensorPool.Shared.Rent(length, clear: false) : ArrayPool<float>.Shared.Rent(length);

    /// <summary>Returns an array from <see cref="Rent"/>.</summary>
    public static void Return(float[] array)
    {
        if (array.Length > LargeLength) TensorPool.Shared.Return(array);
        else ArrayPool<float>.Shared.Return(array);
    }
}
