using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelAudit.Analysis.Attribution;

/// <summary>
/// One step of the conductance sum, acc += g * (next - now), in one pass over the four rows: the difference is rounded to
/// float and the product added with one rounding (fused), exactly as a subtract into a scratch row followed by a fused
/// multiply-add, which read and wrote the difference row again (the sweep's accumulation is memory-bound).
/// </summary>
internal static class ConductanceStep
{
    /// <summary>acc[i] = fma(g[i], next[i] - now[i], acc[i]) for every i.</summary>
    /// <exception cref="ArgumentException">The rows differ in length.</exception>
    public static void Accumulate(ReadOnlySpan<float> gradient, ReadOnlySpan<float> now, ReadOnlySpan<float> next, Span<float> acc)
    {
        int length = acc.Length;
        if (gradient.Length != length || now.Length != length || next.Length != length)
            throw new ArgumentException($"Rows of {gradient.Length}, {now.Length}, {next.Length} and {length} values; they must agree.");
        ref float g = ref MemoryMarshal.GetReference(gradient);
        ref float a = ref MemoryMarshal.GetReference(now);
        ref float b = ref MemoryMarshal.GetReference(next);
        ref float s = ref MemoryMarshal.GetReference(acc);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + Vector512<float>.Count <= length; i += Vector512<float>.Count)
            {
                nuint at = (nuint)i;
                var difference = Vector512.LoadUnsafe(ref b, at) - Vector512.LoadUnsafe(ref a, at);
                Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref g, at), difference, Vector512.LoadUnsafe(ref s, at)).StoreUnsafe(ref s, at);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<float>.Count <= length; i += Vector256<float>.Count)
            {
                nuint at = (nuint)i;
                var difference = Vector256.LoadUnsafe(ref b, at) - Vector256.LoadUnsafe(ref a, at);
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref g, at), difference, Vector256.LoadUnsafe(ref s, at)).StoreUnsafe(ref s, at);
            }
        }
        for (; i < length; i++)
            Unsafe.Add(ref s, i) = MathF.FusedMultiplyAdd(Unsafe.Add(ref g, i), Unsafe.Add(ref b, i) - Unsafe.Add(ref a, i), Unsafe.Add(ref s, i));
    }
}
