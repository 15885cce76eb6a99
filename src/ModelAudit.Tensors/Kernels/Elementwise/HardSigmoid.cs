using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelAudit.Tensors.Kernels.Elementwise;

/// <summary>
/// y = clamp(alpha * x + beta, 0, 1), vectorised with the scalar form's operations and order (no fused
/// multiply-add), so every element is bit-identical to it.
/// </summary>
internal static class HardSigmoid
{
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>
    /// dx = alpha * dy where 0 &lt; alpha * x + beta &lt; 1, else 0 (NaN x: 0), vectorised with <see cref="ScalarGradient"/>'s
    /// operations, so bit-identical to it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Backward(float alpha, float beta, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        KernelGuard.RequireLength(dy.Length, x.Length, nameof(dy));
        KernelGuard.RequireLength(dx.Length, x.Length, nameof(dx));
        int i = 0, lanes = Vector256<float>.Count;
        Vector256<float> a = Vector256.Create(alpha), b = Vector256.Create(beta), one = Vector256<float>.One;
        for (; i + lanes <= x.Length; i += lanes)
        {
            var t = a * Vector256.Create(x.Slice(i, lanes)) + b;
            var inside = Vector256.GreaterThan(t, Vector256<float>.Zero) & Vector256.LessThan(t, one);
            Vector256.ConditionalSelect(inside, a * Vector256.Create(dy.Slice(i, lanes)), Vector256<float>.Zero).CopyTo(dx.Slice(i, lanes));
        }
        for (; i < x.Length; i++) dx[i] = ScalarGradient(alpha, beta, x[i], dy[i]);
    }

    /// <summary>The reference form of the gradient.</summary>
    public static float ScalarGradient(float alpha, float beta, float v, float g) => alpha * v + beta is > 0f and < 1f ? alpha * g : 0f;
}
