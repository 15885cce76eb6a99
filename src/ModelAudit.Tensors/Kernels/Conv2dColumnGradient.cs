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
    /// <paramref name="col"/> holds <paramref name="chunkChannels"/> * KH * KW rows of the block's columns (used when the
    /// chunks run one after another).
    /// </summary>
    /// <remarks>
    /// When <paramref name="parallel"/>, each worker takes a contiguous share of the input channels and runs its chunks
    /// serially with its own column buffer: a chunk's GEMM (a few hundred rows by a few hundred columns at 7x7 and
    /// 14x14 maps) is too small to split across threads, and splitting each one forked twice per chunk. In-process A/B
    /// at two threads: resnet50's 2048 -> 512 1x1 input gradient at 7x7 (b8) 3.94 -> 3.39 ms, its 3x3 stride-2 ones
    /// 8.9 -> 7.1 and 9.8 -> 7.7 ms, the conductance sweep's 3x3 stride-2 ones (b256, 16 -> 8 to 4 -> 2 maps) 18-22 -> 13-15
    /// ms. The chunks only split rows, so results are the same.
    /// </remarks>
    public static void Raise(in Conv2dGeometry g, float* wg, float* packed, int samples, float* dx, long sampleStride, float* col, int chunkChannels, bool parallel)
    {
        int groupIn = g.GroupInChannels, kernelArea = g.KernelHeight * g.KernelWidth, columns = samples * g.OutHeight * g.OutWidth;
        long workPerChannel = 2L * kernelArea * columns * g.GroupOutChannels;
        if (parallel && groupIn >= 2 * KernelParallel.MaxDegree && KernelParallel.ChunkCount(groupIn, workPerChannel) > 1)
        {
            Conv2dGeometry geometry = g;
            KernelParallel.For(groupIn, workPerChannel, (first, end) =>
            {
                // Room for one chunk of this worker's share, no more: a per-sample caller's chunk is the whole group.
                float[] own = ScratchBuffer.Shared.Rent(Math.Min(chunkChannels, end - first) * kernelArea * columns);
                try
                {
                    fixed (float* pown = own)
                    {
                        for (int c0 = first; c0 < end; c0 += chunkChannels)
                            RaiseChunk(geometry, wg, packed, samples, dx, sampleStride, pown, c0, Math.Min(chunkChannels, end - c0), parallel: false);
                    }
                }
                finally
                {
                    ScratchBuffer.Shared.Return(own);
                }
            });
            return;
        }
        for (int c0 = 0; c0 < groupIn; c0 += chunkChannels)
            RaiseChunk(g, wg, packed, samples, dx, sampleStride, col, c0, Math.Min(chunkChannels, groupIn - c0), parallel);
    }

    /// <summary>Input channels <paramref name="firstChannel"/>.. (<paramref name="channels"/> of them) of <see cref="Raise"/>: their column-matrix rows by one GEMM into <paramref name="col"/>, then col2im into dx.</summary>
    private static void RaiseChunk(in Conv2dGeometry g, float* wg, float* packed, int samples, float* dx, long sampleStride, float* col, int firstChannel, int channels, bool parallel)
    {
        Conv2dGeometry geometry = g;
        int groupOut = g.GroupOutChannels, kernelArea = g.KernelHeight * g.KernelWidth;
        int kernelSize = g.GroupInChannels * kernelArea, spatial = g.OutHeight * g.OutWidth, inPlane = g.InHeight * g.InWidth, columns = samples * spatial;
        var panels = new ReadOnlySpan<float>(packed, checked((int)SgemmPack.PrepackedLength(groupOut, columns, Sgemm.NR)));
        int rowStart = firstChannel * kernelArea, rows = channels * kernelArea;
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
