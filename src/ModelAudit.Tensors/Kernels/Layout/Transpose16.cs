using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelAudit.Tensors.Kernels.Layout;

/// <summary>
/// A 16 x 16 block of floats transposed in AVX-512 registers: on return r[j][i] holds what r[i][j] held. Four rounds of
/// shuffles (32-bit and 64-bit interleaves inside 128-bit lanes, then two rounds of 128-bit lane shuffles), 64 in all,
/// with no memory traffic: how the channels-in-lanes kernels (<see cref="DepthwiseChannelLanes"/>,
/// <see cref="Conv2dOutputLanes"/>) move between planes and vectors per position.
/// </summary>
internal static class Transpose16
{
    /// <summary>Transposes the 16 rows in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Apply(
        ref Vector512<float> r0, ref Vector512<float> r1, ref Vector512<float> r2, ref Vector512<float> r3,
        ref Vector512<float> r4, ref Vector512<float> r5, ref Vector512<float> r6, ref Vector512<float> r7,
        ref Vector512<float> r8, ref Vector512<float> r9, ref Vector512<float> r10, ref Vector512<float> r11,
        ref Vector512<float> r12, ref Vector512<float> r13, ref Vector512<float> r14, ref Vector512<float> r15)
    {
        // Rounds 1 and 2: u(4g+k), lane L = column 4L+k of rows 4g..4g+3 (rows 8 up in u8-u15).
        Quarters(r0, r1, r2, r3, r4, r5, r6, r7, out var u0, out var u1, out var u2, out var u3, out var u4, out var u5, out var u6, out var u7);
        Quarters(r8, r9, r10, r11, r12, r13, r14, r15, out var u8, out var u9, out var u10, out var u11, out var u12, out var u13, out var u14, out var u15);

        // Rounds 3 and 4 gather lane L of u(k), u(4+k), u(8+k), u(12+k): column 4L+k whole.
        Column(u0, u4, u8, u12, out r0, out r4, out r8, out r12);
        Column(u1, u5, u9, u13, out r1, out r5, out r9, out r13);
        Column(u2, u6, u10, u14, out r2, out r6, out r10, out r14);
        Column(u3, u7, u11, u15, out r3, out r7, out r11, out r15);
    }

    /// <summary>
    /// The first two rounds on 8 rows: afterwards u(4g+k), 128-bit lane L, holds column 4L+k of rows 4g..4g+3 (32-bit
    /// interleaves of row pairs, then 64-bit interleaves of those). A 16 x 8 transpose finishes from here with one
    /// two-source permute per output vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Quarters(Vector512<float> r0, Vector512<float> r1, Vector512<float> r2, Vector512<float> r3,
        Vector512<float> r4, Vector512<float> r5, Vector512<float> r6, Vector512<float> r7,
        out Vector512<float> u0, out Vector512<float> u1, out Vector512<float> u2, out Vector512<float> u3,
        out Vector512<float> u4, out Vector512<float> u5, out Vector512<float> u6, out Vector512<float> u7)
    {
        Vector512<float> t0 = Avx512F.UnpackLow(r0, r1), t1 = Avx512F.UnpackHigh(r0, r1), t2 = Avx512F.UnpackLow(r2, r3), t3 = Avx512F.UnpackHigh(r2, r3);
        Vector512<float> t4 = Avx512F.UnpackLow(r4, r5), t5 = Avx512F.UnpackHigh(r4, r5), t6 = Avx512F.UnpackLow(r6, r7), t7 = Avx512F.UnpackHigh(r6, r7);
        u0 = Pairs(t0, t2, low: true);
        u1 = Pairs(t0, t2, low: false);
        u2 = Pairs(t1, t3, low: true);
        u3 = Pairs(t1, t3, low: false);
        u4 = Pairs(t4, t6, low: true);
        u5 = Pairs(t4, t6, low: false);
        u6 = Pairs(t5, t7, low: true);
        u7 = Pairs(t5, t7, low: false);
    }

    /// <summary>
    /// Transposes the 16 rows (position j's 16 lanes in r(j)) and stores lane c's values where <paramref name="run"/>
    /// says: sixteen positions of a vector-per-position kernel into 16 output planes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(
        Vector512<float> r0, Vector512<float> r1, Vector512<float> r2, Vector512<float> r3,
        Vector512<float> r4, Vector512<float> r5, Vector512<float> r6, Vector512<float> r7,
        Vector512<float> r8, Vector512<float> r9, Vector512<float> r10, Vector512<float> r11,
        Vector512<float> r12, Vector512<float> r13, Vector512<float> r14, Vector512<float> r15,
        in PlaneRun run)
    {
        float* row = run.Row;
        long stride = run.PlaneStride;
        int rows = run.Channels;
        Apply(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, ref r8, ref r9, ref r10, ref r11, ref r12, ref r13, ref r14, ref r15);
        Vector512<float> mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(run.Columns)).AsSingle();
        Avx512F.MaskStore(row, mask, r0);
        if (rows > 1) Avx512F.MaskStore(row + stride, mask, r1);
        if (rows > 2) Avx512F.MaskStore(row + 2 * stride, mask, r2);
        if (rows > 3) Avx512F.MaskStore(row + 3 * stride, mask, r3);
        if (rows > 4) Avx512F.MaskStore(row + 4 * stride, mask, r4);
        if (rows > 5) Avx512F.MaskStore(row + 5 * stride, mask, r5);
        if (rows > 6) Avx512F.MaskStore(row + 6 * stride, mask, r6);
        if (rows > 7) Avx512F.MaskStore(row + 7 * stride, mask, r7);
        if (rows > 8) Avx512F.MaskStore(row + 8 * stride, mask, r8);
        if (rows > 9) Avx512F.MaskStore(row + 9 * stride, mask, r9);
        if (rows > 10) Avx512F.MaskStore(row + 10 * stride, mask, r10);
        if (rows > 11) Avx512F.MaskStore(row + 11 * stride, mask, r11);
        if (rows > 12) Avx512F.MaskStore(row + 12 * stride, mask, r12);
        if (rows > 13) Avx512F.MaskStore(row + 13 * stride, mask, r13);
        if (rows > 14) Avx512F.MaskStore(row + 14 * stride, mask, r14);
        if (rows > 15) Avx512F.MaskStore(row + 15 * stride, mask, r15);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pairs(Vector512<float> a, Vector512<float> b, bool low)
        => low ? Avx512F.UnpackLow(a.AsDouble(), b.AsDouble()).AsSingle() : Avx512F.UnpackHigh(a.AsDouble(), b.AsDouble()).AsSingle();

    /// <summary>Columns k, 4+k, 8+k and 12+k from the four quarter-columns of rows 0-3, 4-7, 8-11 and 12-15.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Column(Vector512<float> rows0, Vector512<float> rows4, Vector512<float> rows8, Vector512<float> rows12,
        out Vector512<float> lane0, out Vector512<float> lane1, out Vector512<float> lane2, out Vector512<float> lane3)
    {
        Vector512<float> lowHalf = Avx512F.Shuffle4x128(rows0, rows4, 0x44), highHalf = Avx512F.Shuffle4x128(rows0, rows4, 0xEE);
        Vector512<float> lowHalf8 = Avx512F.Shuffle4x128(rows8, rows12, 0x44), highHalf8 = Avx512F.Shuffle4x128(rows8, rows12, 0xEE);
        lane0 = Avx512F.Shuffle4x128(lowHalf, lowHalf8, 0x88);
        lane1 = Avx512F.Shuffle4x128(lowHalf, lowHalf8, 0xDD);
        lane2 = Avx512F.Shuffle4x128(highHalf, highHalf8, 0x88);
        lane3 = Avx512F.Shuffle4x128(highHalf, highHalf8, 0xDD);
    }
}
