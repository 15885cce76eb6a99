using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelAudit.Tensors.Kernels.Elementwise;

/// <summary>
/// The gradients of y = a * b along one row of a broadcast walk: da[i] += dy[i] * b[i] and db[i] += dy[i] * a[i], each
/// operand either walking the row (stride 1) or broadcast along it (stride 0: its gradient is the row's sum, added in
/// row order). Every element sees the generic loop's operations in its order (a rounded product, then one rounded add
/// into the gradient), so the result is bit-identical to it; the vectors only remove its per-element index arithmetic
/// and dispatch (mobilenet's squeeze-excitation and HardSwish products took 25 times their forward time).
/// </summary>
internal static unsafe class MultiplyGradient
{
    /// <summary>True when the row's strides are ones <see cref="Row"/> takes (each 0 or 1, not both 0).</summary>
    public static bool Handles(int strideA, int strideB) => strideA is 0 or 1 && strideB is 0 or 1 && strideA + strideB > 0;

    /// <summary>
    /// One row of <paramref name="length"/> elements; <paramref name="da"/> or <paramref name="db"/> null when that gradient
    /// is not wanted. The pointers are at the row's first element of each operand.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Row(float* a, int strideA, float* b, int strideB, float* dy, float* da, float* db, int length)
    {
        if (da != null) Accumulate(dy, b, strideB, da, strideA, length);
        if (db != null) Accumulate(dy, a, strideA, db, strideB, length);
    }

    /// <summary>gradient[i * gradientStride] += dy[i] * other[i * otherStride] for i in order.</summary>
    private static void Accumulate(float* dy, float* other, int otherStride, float* gradient, int gradientStride, int length)
    {
        if (gradientStride == 0)
        {
            // The broadcast operand's gradient: the row's products summed in order (a chain, as the generic loop adds them).
            float sum = *gradient;
            if (otherStride == 1)
            {
                for (int i = 0; i < length; i++) sum += dy[i] * other[i];
            }
            else
            {
                float o = *other;
                for (int i = 0; i < length; i++) sum += dy[i] * o;
            }
            *gradient = sum;
            return;
        }
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var broadcast = Vector512.Create(*other);
            for (; j + 16 <= length; j += 16)
            {
                var product = Vector512.Load(dy + j) * (otherStride == 1 ? Vector512.Load(other + j) : broadcast);
                Vector512.Store(Vector512.Load(gradient + j) + product, gradient + j);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var broadcast = Vector256.Create(*other);
            for (; j + 8 <= length; j += 8)
            {
                var product = Vector256.Load(dy + j) * (otherStride == 1 ? Vector256.Load(other + j) : broadcast);
                Vector256.Store(Vector256.Load(gradient + j) + product, gradient + j);
            }
        }
        for (; j < length; j++) gradient[j] += dy[j] * other[j * otherStride];
    }
}
