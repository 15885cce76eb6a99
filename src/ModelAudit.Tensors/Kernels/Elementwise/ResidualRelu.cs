using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelAudit.Tensors.Kernels.Elementwise;

/// <summary>
/// The tail of a fused convolution: y = relu(x + r), with the residual r and the ReLU each optional, vectorised.
/// The same operations in the same order as the unfused nodes (one rounded add as <c>Add</c> computes it, then
/// IEEE maximum with +0 as <c>Relu</c> computes it), so every element is bit-identical to running them apart.
/// </summary>
internal static unsafe class ResidualRelu
{
    /// <summary>y[i] = relu(x[i] + residual[i]) for i below <paramref name="count"/>; residual may be null, x may equal y (in place).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Apply(float* x, float* residual, bool relu, float* y, int count)
    {
        if (residual == null && !relu)
        {
            if (x != y) Buffer.MemoryCopy(x, y, (long)count * sizeof(float), (long)count * sizeof(float));
            return;
        }
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= count; i += 16)
            {
                var v = Vector512.Load(x + i);
                if (residual != null) v += Vector512.Load(residual + i);
                if (relu) v = Vector512.Max(v, Vector512<float>.Zero);
                v.Store(y + i);
            }
        }
        for (; i + 8 <= count; i += 8)
        {
            var v = Vector256.Load(x + i);
            if (residual != null) v += Vector256.Load(residual + i);
            if (relu) v = Vector256.Max(v, Vector256<float>.Zero);
            v.Store(y + i);
        }
        for (; i < count; i++) y[i] = Scalar(x[i], residual == null ? 0f : residual[i], residual != null, relu);
    }

    /// <summary>The reference form of one element.</summary>
    public static float Scalar(float x, float residual, bool hasResidual, bool relu)
    {
        float v = hasResidual ? x + residual : x;
        return relu ? MathF.Max(v, 0f) : v;
    }
}
