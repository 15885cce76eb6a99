namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// The column path of the convolution input gradient, chunked: the column matrix W^T dy is made a few input channels
/// (all their kernel rows) at a time, each chunk scattered into dx by col2im while it is still in cache, instead of
/// written whole (several MB per sample at 224x224) and read back from memory. Chunks split only the GEMM's rows: each
/// column-matrix element is the same K-ordered sum and each dx element gets its additions in the same (row ascending)
/// order as with one chunk, so the chunk size never changes a result. dy comes packed into GEMM panels once, since every
/// chunk multiplies all of it.
/// </summary>
internal static unsafe class Conv2dColumnGradient
{
    /// <summary>Column-matrix floats per chunk: 256 KB, which stays in L2 until col2im reads it.</summary>
    public const int ChunkFloats = 1 << 16;

    /// <summary>Input channels per chunk for about <paramref name="chunkFloats"/> floats; an even count where possible, so 3x3 chunks are whole 6-row register tiles.</summary>
    public static int ChunkChannels(in Conv2dGeometry g, int columns, int chunkFloats)
    {
        int kernelArea = g.KernelHeight * g.KernelWidth, groupIn = g.GroupInChannels;
        int channels = (int)Math.Clamp(chunkFloats / ((long)kernelArea * columns), 1, groupIn);
        return channels > 1 && channels < groupIn ? channels & ~1 : channels;
    }

    /// <summary>The k x n row-major matrix <paramref name="b"/> (row stride <paramref name="ldb"/>) into the GEMM's prepacked panel layout (<see cref="SgemmPack.PrepackedLength"/>).</summary>
    public static void PackPanels(float* b, int ldb, int k, int n, float* packed)
    {
        int nr = Sgemm.NR;
        for (int p0 = 0; p0 < k; p0 += Sgemm.BlockK)
        {
            int kc = Math.Min(Sgemm.BlockK, k - p0);
            SgemmPack.B(false, b, ldb, p0, kc, 0, n, nr, packed + SgemmPack.PrepackedOffset(k, n, nr, p0, 0));
        }
    }

    /// <summary>
    /// dx of one group for <paramref name="samples"/> samples side by side (overwritten): <paramref name="packed"/> holds their
    /// [groupOut, samples * OH * OW] output gradient in panels, <paramref name="wg"/> the group's [groupOut, Cg*KH*KW]
    /// weights; sample j's planes start at <paramref name="dx"/> + j * <paramref name="sampleStride"/>.
    /// <paramref name="col"/> holds <paramref name="chunkChannels"/> * KH * KW rows of the block's columns.
    /// </summary>
    public static void Raise(in Conv2dGeometry g, float* wg, float* packed, int samples, float* dx, long sampleStride, float* col, int chunkChannels, bool parallel)
    {
        Conv2dGeometry geometry = g;
        int groupIn = g.GroupInChannels, groupOut = g.GroupOutChannels, kernelArea = g.KernelHeight * g.KernelWidth;
        int kernelSize = groupIn * kernelArea, spatial = g.OutHeight * g.OutWidth, inPlane = g.InHeight * g.InWidth, columns = samples * spatial;
        var panels = new ReadOnlySpan<float>(packed, checked((int)SgemmPack.PrepackedLength(groupOut, columns, Sgemm.NR)));
        for (int c0 = 0; c0 < groupIn; c0 += chunkChannels)
        {
            int channels = Math.Min(chunkChannels, groupIn - c0), rowStart = c0 * kernelArea, rows = channels * kernelArea, firstChannel = c0;
            // Rows rowStart.. of op(A) = W^T: columns rowStart.. of the stored [groupOut, kernelSize] weights.
            Sgemm.MultiplyPrepacked(true, rows, columns, groupOut, 1f,
                new ReadOnlySpan<float>(wg + rowStart, (groupOut - 1) * kernelSize + rows), kernelSize, panels, 0f,
                new Span<float>(col, rows * columns), columns, parallel);
            // col2im per (sample, channel): each input plane has one writer, rows added in ascending order.
            KernelParallel.For(samples * channels, parallel ? (long)kernelArea * spatial : 0, (start, end) =>
            {
                for (int i = start; i < end; i++)
                {
                    int j = i / channels, c = firstChannel + i % channels;
                    float* dxg = dx + j * sampleStride;
                    new Span<float>(dxg + (long)c * inPlane, inPlane).Clear();
                    for (int k = 0; k < kernelArea; k++)
                    {
                        int row = c * kernelArea + k;
                        Im2Col.RaiseRow(geometry, row, col + (long)(row - rowStart) * columns + j * spatial, dxg);
                    }
                }
            });
        }
    }
}
