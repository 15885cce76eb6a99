using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Kernels.Elementwise;

/// <summary>
/// The tail of a fused convolution: y = act(x + r), with the residual r and the activation each optional, vectorised.
/// The same operations in the same order as the unfused nodes: one rounded add as <c>Add</c> computes it, then the
/// activation as its node computes it (Relu: IEEE maximum with +0; HardSigmoid: <see cref="HardSigmoid"/>'s multiply,
/// add, maximum with 0 and minimum with 1, no fused multiply-add; the gated form then one rounded product with the
/// value, as <c>Mul</c>), so every element is bit-identical to running the nodes apart. (One exception, shared with
/// <see cref="HardSigmoid"/>: its vector and scalar forms may differ in the sign of a clamped -0, which
/// alpha * v + beta yields only with beta = -0.)
/// </summary>
internal static unsafe class ResidualActivation
{
    /// <summary>y[i] = act(x[i] + residual[i]) for i below <paramref name="count"/>; residual may be null, x may equal y (in place).</summary>
    /// <remarks>Compiled optimised from the first call: it runs inside every fused convolution.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Apply(float* x, float* residual, in FusedActivation activation, float* y, int count)
    {
        if (residual == null && !activation.IsActive)
        {
            if (x != y) Buffer.MemoryCopy(x, y, (long)count * sizeof(float), (long)count * sizeof(float));
            return;
        }
        switch (activation.Kind)
        {
            case FusedActivationKind.None: Run<NoActivation>(x, residual, 0f, 0f, y, count); break;
            case FusedActivationKind.Relu: Run<ReluActivation>(x, residual, 0f, 0f, y, count); break;
            case FusedActivationKind.HardSigmoid: Run<HardSigmoidActivation>(x, residual, activation.Alpha, activation.Beta, y, count); break;
            case FusedActivationKind.GatedHardSigmoid: Run<GatedHardSigmoidActivation>(x, residual, activation.Alpha, activation.Beta, y, count); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation.Kind, null);
        }
    }

    /// <summary>The reference form of one element.</summary>
    public static float Scalar(float x, float residual, bool hasResidual, in FusedActivation activation)
    {
        float v = hasResidual ? x + residual : x;
        return activation.Kind switch
        {
            FusedActivationKind.None => v,
            FusedActivationKind.Relu => MathF.Max(v, 0f),
            FusedActivationKind.HardSigmoid => HardSigmoid.Scalar(activation.Alpha, activation.Beta, v),
            FusedActivationKind.GatedHardSigmoid => v * HardSigmoid.Scalar(activation.Alpha, activation.Beta, v),
            _ => throw new ArgumentOutOfRangeException(nameof(activation), activation.Kind, null),
        };
    }

    /// <summary>The shared driver: 16-wide vectors where available, then 8-wide, then one element at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Run<TActivation>(float* x, float* residual, float alpha, float beta, float* y, int count)
        where TActivation : struct, IActivation
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> a = Vector512.Create(alpha), b = Vector512.Create(beta);
            for (; i + 16 <= count; i += 16)
            {
                var v = Vector512.Load(x + i);
                if (residual != null) v += Vector512.Load(residual + i);
                TActivation.Apply(v, a, b).Store(y + i);
            }
        }
        Vector256<float> a8 = Vector256.Create(alpha), b8 = Vector256.Create(beta);
        for (; i + 8 <= count; i += 8)
        {
            var v = Vector256.Load(x + i);
            if (residual != null) v += Vector256.Load(residual + i);
            TActivation.Apply(v, a8, b8).Store(y + i);
        }
        for (; i < count; i++)
        {
            float v = residual != null ? x[i] + residual[i] : x[i];
            y[i] = TActivation.Apply(v, alpha, beta);
        }
    }

    private interface IActivation
    {
        static abstract Vector512<float> Apply(Vector512<float> v, Vector512<float> alpha, Vector512<float> beta);

        static abstract Vector256<float> Apply(Vector256<float> v, Vector256<float> alpha, Vector256<float> beta);

        static abstract float Apply(float v, float alpha, float beta);
    }

    private readonly struct NoActivation : IActivation
    {
        public static Vector512<float> Apply(Vector512<float> v, Vector512<float> alpha, Vector512<float> beta) => v;

        public static Vector256<float> Apply(Vector256<float> v, Vector256<float> alpha, Vector256<float> beta) => v;

        public static float Apply(float v, float alpha, float beta) => v;
    }

    private readonly struct ReluActivation : IActivation
    {
        public static Vector512<float> Apply(Vector512<float> v, Vector512<float> alpha, Vector512<float> beta) => Vector512.Max(v, Vector512<float>.Zero);

        public static Vector256<float> Apply(Vector256<float> v, Vector256<float> alpha, Vector256<float> beta) => Vector256.Max(v, Vector256<float>.Zero);

        public static float Apply(float v, float alpha, float beta) => MathF.Max(v, 0f);
    }

    private readonly struct HardSigmoidActivation : IActivation
    {
        public static Vector512<float> Apply(Vector512<float> v, Vector512<float> alpha, Vector512<float> beta)
            => Vector512.Min(Vector512.Max(alpha * v + beta, Vector512<float>.Zero), Vector512<float>.One);

        public static Vector256<float> Apply(Vector256<float> v, Vector256<float> alpha, Vector256<float> beta)
            => Vector256.Min(Vector256.Max(alpha * v + beta, Vector256<float>.Zero), Vector256<float>.One);

        public static float Apply(float v, float alpha, float beta) => HardSigmoid.Scalar(alpha, beta, v);
    }

    private readonly struct GatedHardSigmoidActivation : IActivation
    {
        public static Vector512<float> Apply(Vector512<float> v, Vector512<float> alpha, Vector512<float> beta)
            => v * HardSigmoidActivation.Apply(v, alpha, beta);

        public static Vector256<float> Apply(Vector256<float> v, Vector256<float> alpha, Vector256<float> beta)
            => v * HardSigmoidActivation.Apply(v, alpha, beta);

        public static float Apply(float v, float alpha, float beta) => v * HardSigmoid.Scalar(alpha, beta, v);
    }
}
