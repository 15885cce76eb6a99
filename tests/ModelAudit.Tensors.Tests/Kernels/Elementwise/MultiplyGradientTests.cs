using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Tests.Kernels.Elementwise;

/// <summary>
/// Mul's gradients through the backend (the row kernel where each operand walks or is broadcast along the row) against
/// the definition visited in row-major order of dy: da[ia] += dy * b[ib], db[ib] += dy * a[ia], one rounded product and
/// one rounded add per element, so equal bit for bit.
/// </summary>
public class MultiplyGradientTests
{
    [Theory]
    [InlineData(new[] { 2, 5, 7, 9 }, new[] { 2, 5, 7, 9 })]  // same shape (HardSwish's x * HardSigmoid(x))
    [InlineData(new[] { 2, 5, 7, 9 }, new[] { 2, 5, 1, 1 })]  // squeeze-excitation's gate per sample and channel
    [InlineData(new[] { 2, 5, 1, 1 }, new[] { 2, 5, 7, 9 })]  // the gate first
    [InlineData(new[] { 1, 5, 7, 9 }, new[] { 3, 5, 7, 9 })]  // a broadcast over samples: its gradient accumulates across rows
    [InlineData(new[] { 2, 5, 7, 9 }, new[] { 9 })]           // a row vector
    [InlineData(new[] { 2, 5, 7, 1 }, new[] { 2, 5, 1, 9 })]  // both broadcast (outer product): the generic loop
    public void BinaryBackward_Mul_BitIdenticalToDefinition(int[] aDims, int[] bDims)
    {
        var backend = ComputeBackends.Cpu;
        using var a = Tensor.FromArray(Random(aDims, 1), aDims);
        using var b = Tensor.FromArray(Random(bDims, 2), bDims);
        var yShape = new Binary(BinaryKind.Mul).InferShapes([a.Shape, b.Shape])[0];
        using var dy = Tensor.FromArray(Random(yShape.Dims.ToArray(), 3), yShape.Dims.ToArray());
        using var da = backend.Allocate(a.Shape, clear: false);
        using var db = backend.Allocate(b.Shape, clear: false);
        backend.BinaryBackward(BinaryKind.Mul, a, b, dy, da, db);

        var expectedA = new float[a.Length];
        var expectedB = new float[b.Length];
        int[] dims = yShape.Dims.ToArray();
        var index = new int[dims.Length];
        for (int flat = 0; flat < dy.Length; flat++)
        {
            int rest = flat;
            for (int d = dims.Length - 1; d >= 0; d--)
            {
                index[d] = rest % dims[d];
                rest /= dims[d];
            }
            int ia = Broadcast(index, aDims), ib = Broadcast(index, bDims);
            float g = dy.Span[flat];
            expectedA[ia] += g * b.Span[ib];
            expectedB[ib] += g * a.Span[ia];
        }
        Assert.Equal(expectedA.Select(BitConverter.SingleToInt32Bits), da.ToArray().Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(expectedB.Select(BitConverter.SingleToInt32Bits), db.ToArray().Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>Flat index into a tensor of <paramref name="dims"/> (right-aligned, size-1 axes broadcast) at the output index.</summary>
    private static int Broadcast(int[] index, int[] dims)
    {
        int flat = 0, offset = index.Length - dims.Length;
        for (int d = 0; d < dims.Length; d++) flat = flat * dims[d] + (dims[d] == 1 ? 0 : index[offset + d]);
        return flat;
    }

    private static float[] Random(int[] dims, int seed)
    {
        var random = new Random(seed);
        var values = new float[dims.Aggregate(1, (p, d) => p * d)];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 4 - 2);
        return values;
    }
}
