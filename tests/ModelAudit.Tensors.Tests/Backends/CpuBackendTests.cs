using ModelAudit.Tensors.Operations;
using ModelAudit.Tensors.Tests.Kernels;
using ModelAudit.Tensors.Tests.TestSupport;

namespace ModelAudit.Tensors.Tests.Backends;

// In the kernel collection: a test here sets the kernels' thread count, which the collection's tests must not share.
[Collection(KernelParallelCollection.Name)]
public class CpuBackendTests
{
    private static readonly CpuBackend Backend = new(new TensorPool());

    private static float[] Ramp(int n) => Enumerable.Range(0, n).Select(i => (float)i).ToArray();

    [Fact]
    public void StridedCopy_NegativeAndZeroStrides_MatchesIndexArithmetic()
    {
        // Reads a [2,3] source backwards along columns and repeats it over a broadcast axis.
        var src = Tensor.FromArray(Ramp(6), 2, 3);
        var dst = Backend.Allocate(new TensorShape(2, 2, 3), clear: true);
        Backend.StridedCopy(src, 2, [0, 3, -1], dst, 0, [6, 3, 1], [2, 2, 3], accumulate: false);
        TensorAssert.AssertClose(new float[] { 2, 1, 0, 5, 4, 3, 2, 1, 0, 5, 4, 3 }, dst, relTol: 0);
        Backend.StridedCopy(src, 2, [0, 3, -1], dst, 0, [6, 3, 1], [2, 2, 3], accumulate: true);
        TensorAssert.AssertClose(new float[] { 4, 2, 0, 10, 8, 6, 4, 2, 0, 10, 8, 6 }, dst, relTol: 0);
    }

    [Fact]
    public void SumToShape_IsAdjointOfBroadcastTo()
    {
        // <BroadcastTo(a), b> == <a, SumToShape(b)> for every a, b: the defining identity of the pair.
        var a = RandomTensors.Uniform(1, -1, 1, 3, 1);
        var b = RandomTensors.Uniform(2, -1, 1, 2, 3, 4);
        var wide = Backend.Allocate(b.Shape, clear: false);
        Backend.BroadcastTo(a, wide);
        var narrow = Backend.Allocate(a.Shape, clear: false);
        Backend.SumToShape(b, narrow);
        double left = 0, right = 0;
        for (int i = 0; i < b.Length; i++) left += (double)wide.Span[i] * b.Span[i];
        for (int i = 0; i < a.Length; i++) right += (double)a.Span[i] * narrow.Span[i];
        Assert.True(Math.Abs(left - right) <= 1e-5 * Math.Abs(left), $"{left} vs {right}");
    }

    [Fact]
    public void Axpy_Scaled_AddsInPlace()
    {
        var y = Tensor.FromArray([1, 2, 3], 3);
        Backend.Axpy(2f, Tensor.FromArray([10, 20, 30], 3), y);
        TensorAssert.AssertClose(new float[] { 21, 42, 63 }, y, relTol: 0);
    }

    /// <summary>
    /// Past the parallel threshold (64K elements) the sum runs in chunks on the kernel workers; each element is still
    /// computed alone (y + x, or y + a x with the product rounded first), so one, two and three threads give the bits
    /// of the element-by-element float sum (exact identity, tolerance 0), for a = 1 and a = 0.37.
    /// </summary>
    [Theory]
    [InlineData(1f)]
    [InlineData(0.37f)]
    public void Axpy_LargeInChunks_BitIdenticalToElementwise(float alpha)
    {
        const int length = 200_003;
        var x = RandomTensors.Uniform(11, -1, 1, length);
        var start = RandomTensors.Uniform(12, -1, 1, length);
        var expected = new int[length];
        for (int i = 0; i < length; i++)
            expected[i] = BitConverter.SingleToInt32Bits(alpha == 1f ? start.Span[i] + x.Span[i] : x.Span[i] * alpha + start.Span[i]);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var y = start.Clone();
            KernelAssert.WithThreads(threads, () =>
            {
                Backend.Axpy(alpha, x, y);
                return y.ToArray();
            });
            Assert.Equal(expected, y.ToArray().Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void Gemm_Offsets_MultiplySubMatrices()
    {
        // Second 2x2 block of A times first 2x2 block of B, written after one element of C.
        var a = Tensor.FromArray([9, 9, 9, 9, 1, 2, 3, 4], 8);
        var b = Tensor.FromArray([5, 6, 7, 8, 9, 9], 6);
        var c = Tensor.FromArray([0, 0, 0, 0, 0], 5);
        Backend.Gemm(false, false, 2, 2, 2, 1f, a, 4, 2, b, 0, 2, 0f, c, 1, 2);
        TensorAssert.AssertClose(new float[] { 0, 19, 22, 43, 50 }, c, relTol: 0);
    }

    [Theory]
    [InlineData(new[] { 4, 5 }, new[] { 1, 5 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { 3, 1 })]
    [InlineData(new[] { 3, 1 }, new[] { 2, 3, 4 })]
    [InlineData(new[] { 2, 3, 4, 5 }, new[] { 2, 3, 1, 1 })]
    [InlineData(new[] { 2, 3, 1, 1 }, new[] { 2, 3, 4, 5 })]
    public void BinaryForward_BroadcastPathsAgreeWithExpandedOperands(int[] aDims, int[] bDims)
    {
        // Row, per-row scalar (right), per-row scalar (left) and per-(sample, channel) scalar paths against the same-shape path.
        var a = RandomTensors.Uniform(3, 0.5f, 2, aDims);
        var b = RandomTensors.Uniform(4, 0.5f, 2, bDims);
        var shape = ModelAudit.Tensors.Kernels.Layout.Broadcasting.Shape(a.Shape, b.Shape);
        var wideA = Backend.Allocate(shape, clear: false);
        var wideB = Backend.Allocate(shape, clear: false);
        Backend.BroadcastTo(a, wideA);
        Backend.BroadcastTo(b, wideB);
        foreach (var kind in Enum.GetValues<BinaryKind>())
        {
            var viaBroadcast = Backend.Allocate(shape, clear: false);
            var viaSameShape = Backend.Allocate(shape, clear: false);
            Backend.BinaryForward(kind, a, b, viaBroadcast);
            Backend.BinaryForward(kind, wideA, wideB, viaSameShape);
            TensorAssert.AssertClose(viaSameShape.ToArray().Select(v => (double)v).ToArray(), viaBroadcast.ToArray(), 1e-6, kind.ToString());
        }
    }

    [Fact]
    public void Allocate_AfterDispose_ReusesTheBuffer()
    {
        var pool = new TensorPool();
        var backend = new CpuBackend(pool);
        var first = backend.Allocate(new TensorShape(64), clear: false);
        first.Dispose();
        var second = backend.Allocate(new TensorShape(8, 8), clear: true);
        Assert.Equal(1, pool.FreshAllocationCount);
        Assert.Equal(2, pool.RentCount);
        Assert.All(second.ToArray(), v => Assert.Equal(0f, v));
    }
}
