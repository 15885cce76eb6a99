using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelAudit.Tensors.Kernels.Elementwise;

/// <summary>
/// y = clamp(alpha * x + beta, 0, 1), vectorised with the scalar form's operations and order (no fused
/// multiply-add), so every element is bit-identical to it.
/// </summary>
internal static class HardSigmoid
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(float alpha, float beta, ReadOnlySpan<float> x, Span<float> y)
    {
        KernelGuard.RequireLength(y.Length, x.Length, nameof(y));
        int i = 0, lanes = Vector256<float>.Count;
        Vector256<float> a = Vector256.Create(alpha), b = Vector256.Create(beta), one = Vector256<float>.One;
        for (; i + lanes <= x.Length; i += lanes)
        {
            var v = Vector256.Create(x.Slice(i, lanes));
            Vector256.Min(Vector256.Max(a * v + b, Vector256<float>.Zero), one).CopyTo(y.Slice(i, lanes));
        }
        for (; i < x.Length; i++) y[i] = Scalar(alpha, beta, x[i]);
    }

    /// <summary>The reference form.</summary>
    public static float Scalar(float alpha, float beta, float v) => Math.Clamp(alpha * v + beta, 0f, 1f);
}
