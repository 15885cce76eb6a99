using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelAudit.Tensors.Kernels.Layout;

/// <summary>
/// dst[i] = src[i] for i below a count that is usually short (a row of a small feature map, a run of a GEMM panel, a
/// few columns of a plane): inline vectors rather than a Memmove call, whose setup costs more than such a copy. The
/// source and destination do not overlap.
/// </summary>
internal static unsafe class ShortCopy
{
    /// <summary>
    /// Copies <paramref name="count"/> floats: whole vectors (16 floats where 512-bit vectors are accelerated, else 8),
    /// then one overlapping vector for the ragged end; under 8 floats one at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Apply(float* src, float* dst, int count)
    {
        if (count >= 16 && Vector512.IsHardwareAccelerated)
        {
            for (int i = 0; i < count - 16; i += 16) Vector512.Store(Vector512.Load(src + i), dst + i);
            Vector512.Store(Vector512.Load(src + count - 16), dst + count - 16);
        }
        else if (count >= 8)
        {
            for (int i = 0; i < count - 8; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
            Vector256.Store(Vector256.Load(src + count - 8), dst + count - 8);
        }
        else
        {
            for (int i = 0; i < count; i++) dst[i] = src[i];
        }
    }
}
