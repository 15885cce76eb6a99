using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelAudit.Estimators;

/// <summary>
/// Dot products, axpy and max-norm distances for the hot loops, optimised at first call. TensorPrimitives starts at tier 0 in a cold
/// process and is slow until tiering catches up, which doubled a first Renyi estimate; these do not wait.
/// Summation order is fixed (four lane accumulators, then lanes in order, then the tail), so results are reproducible.
/// </summary>
internal static class VectorMath
{
    /// <summary>sum_i x_i y_i in a fixed order (float or double).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static T Dot<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
        where T : unmanaged, INumber<T>
    {
        var length = x.Length;
        var width = Vector<T>.Count;
        var vx = MemoryMarshal.Cast<T, Vector<T>>(x);
        var vy = MemoryMarshal.Cast<T, Vector<T>>(y[..length]);
        Vector<T> s0 = default, s1 = default, s2 = default, s3 = default;
        var v = 0;
        for (; v + 4 <= vx.Length; v += 4)
        {
            s0 += vx[v] * vy[v];
            s1 += vx[v + 1] * vy[v + 1];
            s2 += vx[v + 2] * vy[v + 2];
            s3 += vx[v + 3] * vy[v + 3];
        }

        for (; v < vx.Length; v++)
        {
            s0 += vx[v] * vy[v];
        }

        var sum = Vector.Sum((s0 + s1) + (s2 + s3));
        for (var i = vx.Length * width; i < length; i++)
        {
            sum += x[i] * y[i];
        }

        return sum;
    }

    /// <summary>target += scale * x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AddScaled(Span<double> target, double scale, ReadOnlySpan<double> x)
    {
        var length = target.Length;
        var vt = MemoryMarshal.Cast<double, Vector<double>>(target);
        var vx = MemoryMarshal.Cast<double, Vector<double>>(x[..length]);
        var vs = new Vector<double>(scale);
        for (var v = 0; v < vt.Length; v++)
        {
            vt[v] += vs * vx[v];
        }

        for (var i = vt.Length * Vector<double>.Count; i < length; i++)
        {
            target[i] += scale * x[i];
        }
    }

    /// <summary>max_i |x_i - y_i|, the max-norm distance.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double MaxAbsDifference(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var length = x.Length;
        var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
        var vy = MemoryMarshal.Cast<double, Vector<double>>(y[..length]);
        var largest = Vector<double>.Zero;
        for (var v = 0; v < vx.Length; v++)
        {
            largest = Vector.Max(largest, Vector.Abs(vx[v] - vy[v]));
        }

        var result = 0.0;
        for (var lane = 0; lane < Vector<double>.Count; lane++)
        {
            result = Math.Max(result, largest[lane]);
        }

        for (var i = vx.Length * Vector<double>.Count; i < length; i++)
        {
            result = Math.Max(result, Math.Abs(x[i] - y[i]));
        }

        return result;
    }
}
