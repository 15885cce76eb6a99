using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// y[p] = (sum of plane p) / length over contiguous planes: global average pooling. Each plane is summed in one fixed
/// order (four vector accumulators over 4-vector blocks, one over the remaining whole vectors, combined as
/// ((a0 + a1) + (a2 + a3)) + a4, reduced across lanes, then the scalar tail in order), so a mean does not depend on
/// where the plane lies in memory or on how planes are split between threads. Planes run in parallel.
/// </summary>
internal static unsafe class PlaneMean
{
    /// <summary>y[p] = mean of x[p * length .. (p + 1) * length) for every plane p below <paramref name="planes"/>.</summary>
    public static void Forward(float* x, float* y, int planes, int length)
    {
        KernelParallel.For(planes, length, (first, end) => Planes(x, y, length, first, end));
    }

    /// <remarks>Compiled optimised from the first call: a forward pass calls it once per pooling node, too few for tiering.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Planes(float* x, float* y, int length, int first, int end)
    {
        for (int p = first; p < end; p++) y[p] = Sum(x + (long)p * length, length) / length;
    }

    /// <summary>The sum of <paramref name="count"/> floats at <paramref name="x"/> in the order described on the class.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static float Sum(float* x, int count)
    {
        int i = 0;
        float sum;
        if (Vector512.IsHardwareAccelerated && count >= 16)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default;
            for (; i + 64 <= count; i += 64)
            {
                a0 += Vector512.Load(x + i);
                a1 += Vector512.Load(x + i + 16);
                a2 += Vector512.Load(x + i + 32);
                a3 += Vector512.Load(x + i + 48);
            }
            for (; i + 16 <= count; i += 16) a4 += Vector512.Load(x + i);
            sum = Vector512.Sum(((a0 + a1) + (a2 + a3)) + a4);
        }
        else if (Vector256.IsHardwareAccelerated && count >= 8)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default;
            for (; i + 32 <= count; i += 32)
            {
                a0 += Vector256.Load(x + i);
                a1 += Vector256.Load(x + i + 8);
                a2 += Vector256.Load(x + i + 16);
                a3 += Vector256.Load(x + i + 24);
            }
            for (; i + 8 <= count; i += 8) a4 += Vector256.Load(x + i);
            sum = Vector256.Sum(((a0 + a1) + (a2 + a3)) + a4);
        }
        else
        {
            sum = 0f;
        }
        for (; i < count; i++) sum += x[i];
        return sum;
    }
}
