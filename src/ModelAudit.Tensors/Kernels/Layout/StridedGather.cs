using System.Runtime.CompilerServices;

namespace ModelAudit.Tensors.Kernels.Layout;

/// <summary>
/// dst[i] = src[i * stride]: the input columns a strided window reads, gathered into a contiguous run (a row of a
/// lowered plane or column matrix). Stride 1 is a copy (<see cref="ShortCopy"/>), stride 2 the two-source permutes of
/// <see cref="EvenGather"/>, larger strides one float at a time.
/// </summary>
internal static unsafe class StridedGather
{
    /// <summary>
    /// Gathers <paramref name="count"/> floats <paramref name="stride"/> apart, reading no further than
    /// <paramref name="available"/> floats from <paramref name="src"/> on the vector paths (at least (count - 1) * stride + 1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Apply(float* src, float* dst, int count, int stride, int available)
    {
        if (stride == 1) ShortCopy.Apply(src, dst, count);
        else if (stride == 2) EvenGather.Apply(src, dst, count, available);
        else
            for (int i = 0; i < count; i++) dst[i] = src[(long)i * stride];
    }
}
