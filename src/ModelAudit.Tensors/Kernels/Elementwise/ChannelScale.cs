using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelAudit.Tensors.Kernels.Elementwise;

/// <summary>
/// y[r, :] = x[r, :] * scale[r] over rows of one length: a per-(sample, channel) scale broadcast over a map, as
/// squeeze-excitation's Mul of the gate [N, C, 1, 1] with the features [N, C, H, W]. One rounded product per element,
/// which is the Mul node's (a product is the same in either operand order), so every element is bit-identical to it.
/// </summary>
internal static unsafe class ChannelScale
{
    /// <summary>Rows [<paramref name="firstRow"/>, <paramref name="endRow"/>) of y = x * scale (row r at r * <paramref name="length"/>); x may equal y.</summary>
    /// <remarks>Compiled optimised from the first call: a forward pass calls it a few times per block, too few for tiering.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Rows(float* x, float* scale, float* y, int length, int firstRow, int endRow)
    {
        for (int r = firstRow; r < endRow; r++)
        {
            long at = (long)r * length;
            Row(x + at, scale[r], y + at, length);
        }
    }

    /// <summary>y[i] = x[i] * s for i below <paramref name="count"/>: 16-wide vectors where available, then 8-wide, then one at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Row(float* x, float s, float* y, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var sv = Vector512.Create(s);
            for (; i + 16 <= count; i += 16) (Vector512.Load(x + i) * sv).Store(y + i);
        }
        var s8 = Vector256.Create(s);
        for (; i + 8 <= count; i += 8) (Vector256.Load(x + i) * s8).Store(y + i);
        for (; i < count; i++) y[i] = x[i] * s;
    }
}
