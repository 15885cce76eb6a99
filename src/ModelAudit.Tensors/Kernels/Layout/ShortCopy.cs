using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelAudit.Tensors.Kernels.Layout;

/// <summary>
/// dst[i] = src[i] for i below a count that is usually short (a row of a small feature map, a segment of a GEMM
/// panel): inline vectors rather than a Memmove call, whose setup costs more than such a copy.
/// </summary>
internal static unsafe class ShortCopy
{
    /// <summary>Copies <paramref name="count"/> floats: whole 8-float vectors, then one overlapping vector for the ragged end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Apply(float* src, float* dst, int count)
    {
        if (count >= 8)
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
