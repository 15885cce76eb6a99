using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors.Tests.Kernels;

public class SgemmPackTests
{
    /// <summary>
    /// The untransposed B packer against the panel layout's definition: element (p, j) of the block at
    /// panel j / nr, row p, lane j % nr; the ragged last panel's missing lanes zero. The destination starts as NaN, so a
    /// lane left unwritten fails. Panel widths: the AVX-512 kernel's 64 and the AVX2 kernel's 16 (the copy's two vector
    /// widths); blocks at an offset inside a wider matrix; ragged and whole last panels; one panel and less.
    /// </summary>
    [Theory]
    [InlineData(64, 37, 2 * 64 + 5)]
    [InlineData(64, 256, 3 * 64)]
    [InlineData(64, 9, 20)]
    [InlineData(16, 40, 16 * 3 + 9)]
    [InlineData(16, 3, 8)]
    public unsafe void B_Untransposed_PanelsHoldTheBlockWithZeroPaddedEdge(int nr, int kc, int nc)
    {
        const int p0 = 3, j0 = 7;
        int ldb = j0 + nc + 11;
        float[] b = KernelAssert.Random((p0 + kc + 2) * ldb, 71);
        int panels = (nc + nr - 1) / nr;
        float[] packed = new float[panels * kc * nr];
        Array.Fill(packed, float.NaN);
        fixed (float* pb = b, pd = packed) SgemmPack.B(false, pb, ldb, p0, kc, j0, nc, nr, pd);
        Assert.Equal(Expected(b, ldb, p0, kc, j0, nc, nr), packed);
    }

    /// <summary>
    /// The row-pointer packer (a convolution's shifted input rows, scattered in shuffled order) gives the strided packer's
    /// panels for the same rows, bit for bit, ragged edge included.
    /// </summary>
    [Theory]
    [InlineData(64, 37, 2 * 64 + 5)]
    [InlineData(16, 40, 16 * 3 + 9)]
    public unsafe void BRows_ScatteredRows_SamePanelsAsStridedRows(int nr, int kc, int nc)
    {
        const int p0 = 2, j0 = 5;
        int ldb = j0 + nc;
        int rowCount = p0 + kc;
        float[] dense = KernelAssert.Random(rowCount * ldb, 72);
        int[] order = [.. Enumerable.Range(0, rowCount).OrderBy(p => (p * 7919) % rowCount)];
        int stride = ldb + 3;
        float[] scattered = new float[rowCount * stride];
        for (int p = 0; p < rowCount; p++) dense.AsSpan(p * ldb, ldb).CopyTo(scattered.AsSpan(order[p] * stride, ldb));
        int panels = (nc + nr - 1) / nr;
        float[] packed = new float[panels * kc * nr];
        Array.Fill(packed, float.NaN);
        fixed (float* ps = scattered, pd = packed)
        {
            var rows = new nint[rowCount];
            for (int p = 0; p < rowCount; p++) rows[p] = (nint)(ps + order[p] * stride);
            fixed (nint* pr = rows) SgemmPack.BRows((float**)pr, p0, kc, j0, nc, nr, pd);
        }
        Assert.Equal(Expected(dense, ldb, p0, kc, j0, nc, nr), packed);
    }

    /// <summary>
    /// The transposed B packer (op(B)[p, j] = b[j * ldb + p]) against the layout's definition, NaN-filled destination:
    /// depths with whole 16-step blocks (AVX-512's 16 x 16 transposes), an 8-step remainder (8 x 8 transposes) and a
    /// scalar one; row strides a multiple of 1 KiB (the cache-set case the 16 x 16 blocks are for) and not; whole panels
    /// and a ragged last one; the AVX-512 and AVX2 kernels' panel widths.
    /// </summary>
    [Theory]
    [InlineData(64, 256, 2 * 64, 1024)]
    [InlineData(64, 16 * 3 + 8 + 5, 2 * 64 + 9, 1024)]
    [InlineData(64, 40, 64, 333)]
    [InlineData(16, 16 * 2 + 3, 16 * 3 + 7, 512)]
    [InlineData(16, 7, 5, 64)]
    public unsafe void B_Transposed_PanelsHoldTheBlockTransposedWithZeroPaddedEdge(int nr, int kc, int nc, int ldb)
    {
        const int p0 = 3, j0 = 5;
        float[] stored = KernelAssert.Random((j0 + nc + 2) * ldb, 73);
        int panels = (nc + nr - 1) / nr;
        float[] packed = new float[panels * kc * nr];
        Array.Fill(packed, float.NaN);
        fixed (float* pb = stored, pd = packed) SgemmPack.B(true, pb, ldb, p0, kc, j0, nc, nr, pd);
        // op(B) written out row-major (k x n) gives the untransposed definition.
        int rows = p0 + kc, columns = j0 + nc;
        var opB = new float[rows * columns];
        for (int p = 0; p < rows; p++)
            for (int j = 0; j < columns; j++) opB[p * columns + j] = stored[j * ldb + p];
        Assert.Equal(Expected(opB, columns, p0, kc, j0, nc, nr), packed);
    }

    /// <summary>The panel layout by its definition.</summary>
    private static float[] Expected(float[] b, int ldb, int p0, int kc, int j0, int nc, int nr)
    {
        int panels = (nc + nr - 1) / nr;
        var expected = new float[panels * kc * nr];
        for (int panel = 0; panel < panels; panel++)
        {
            for (int p = 0; p < kc; p++)
            {
                for (int lane = 0; lane < nr; lane++)
                {
                    int j = panel * nr + lane;
                    expected[(panel * kc + p) * nr + lane] = j < nc ? b[(p0 + p) * ldb + j0 + j] : 0f;
                }
            }
        }
        return expected;
    }
}
