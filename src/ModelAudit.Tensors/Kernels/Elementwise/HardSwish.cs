using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelAudit.Tensors.Kernels.Elementwise;

/// <summary>
/// y = x * clamp(x / 6 + 1/2, 0, 1), vectorised. The same operations in the same order as the scalar form
/// (a true division by 6, no fused multiply-add), so every element is bit-identical to it.
/// </summary>
internal static class HardSwish
{
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> x, Span<float> y)
    {
        KernelGuard.RequireLength(y.Length, x.Length, nameof(y));
        int i = 0, lanes = Vector256<float>.Count;
        Vector256<float> six = Vector256.Create(6f), half = Vector256.Create(0.5f), one = Vector256<float>.One;
        for (; i + lanes <= x.Length; i += lanes)
        {
            var v = Vector256.Create(x.Slice(i, lanes));
            var gate = Vector256.Min(Vector256.Max(v / six + half, Vector256<float>.Zero), one);
            (v * gate).CopyTo(y.Slice(i, lanes));
        }
        for (; i < x.Length; i++) y[i] = Scalar(x[i]);
    }

    /// <summary>The reference form (NaN propagates through the product).</summary>
    public static float Scalar(float v) => v * Math.Clamp(v / 6f + 0.5f, 0f, 1f);
}
