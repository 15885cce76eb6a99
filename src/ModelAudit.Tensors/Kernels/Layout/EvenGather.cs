using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelAudit.Tensors.Kernels.Layout;

/// <summary>
/// dst[i] = src[2i]: the input columns a stride-2 window reads, gathered into a contiguous run (a convolution's phase
/// planes, a depthwise kernel's phased layout). Vectors only where every float they load lies within the readable range.
/// </summary>
internal static unsafe class EvenGather
{
    /// <summary>
    /// Gathers <paramref name="count"/> floats, reading no further than <paramref name="available"/> floats from
    /// <paramref name="src"/>: sixteen at a time by a two-source permute (AVX-512), eight at a time by a shuffle and a
    /// lane permute (AVX2), the rest one by one.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Apply(float* src, float* dst, int count, int available)
    {
        int i = 0;
        if (Avx512F.IsSupported)
        {
            var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            for (; i + 16 <= count && 2 * i + 32 <= available; i += 16)
                Vector512.Store(Avx512F.PermuteVar16x32x2(Vector512.Load(src + 2 * i), even, Vector512.Load(src + 2 * i + 16)), dst + i);
        }
        if (Avx2.IsSupported)
        {
            for (; i + 8 <= count && 2 * i + 16 <= available; i += 8)
            {
                // [s0 s2 s8 s10 | s4 s6 s12 s14], then the middle 64-bit pairs swapped: s0 s2 s4 ... s14.
                var pairs = Avx.Shuffle(Avx.LoadVector256(src + 2 * i), Avx.LoadVector256(src + 2 * i + 8), 0b10_00_10_00);
                Avx.Store(dst + i, Avx2.Permute4x64(pairs.AsDouble(), 0b11_01_10_00).AsSingle());
            }
        }
        for (; i < count; i++) dst[i] = src[2L * i];
    }
}
