using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelAudit.Tensors.Kernels.Layout;

/// <summary>
/// dst[2i] = even[i], dst[2i + 1] = odd[i]: two column phases of a stride-2 layout woven back into one row (the inverse
/// of <see cref="EvenGather"/>; a depthwise input gradient leaving its phased layout).
/// </summary>
internal static unsafe class Interleave
{
    /// <summary>Weaves <paramref name="count"/> pairs: sixteen at a time by two-source permutes (AVX-512), the rest one by one.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Apply(float* even, float* odd, float* dst, int count)
    {
        int i = 0;
        if (Avx512F.IsSupported)
        {
            var low = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
            var high = low + Vector512.Create(8);
            for (; i + 16 <= count; i += 16)
            {
                var e = Vector512.Load(even + i);
                var o = Vector512.Load(odd + i);
                Vector512.Store(Avx512F.PermuteVar16x32x2(e, low, o), dst + 2 * i);
                Vector512.Store(Avx512F.PermuteVar16x32x2(e, high, o), dst + 2 * i + 16);
            }
        }
        for (; i < count; i++)
        {
            dst[2 * i] = even[i];
            dst[2 * i + 1] = odd[i];
        }
    }
}
