using System.Buffers;
using System.Runtime.CompilerServices;
using ModelAudit.Tensors.Kernels.Elementwise;
using ModelAudit.Tensors.Kernels.Layout;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Convolution forward without a column matrix. The input of a block of samples is copied once into phase planes:
/// for strides (sh, sw), plane (a, b) of a channel holds the zero-padded input at rows sh*i + a and columns sw*j + b,
/// each sample's part of a plane row Wq long and the block's samples side by side along the row. In those planes the
/// column-matrix row of channel c and kernel tap (kh, kw) is one contiguous run, starting at row kh*dH / sh and
/// column kw*dW / sw of plane ((kh*dH) % sh, (kw*dW) % sw), in which output (n, oh, ow) sits at column
/// (oh * samples + n) * Wq + ow. Wq is chosen so that reads past the right end of a sample's row land in the zeros at
/// the start of the next (left padding shares the gap), and each plane ends with a zero row. The GEMM reads the runs
/// through row pointers (<see cref="Sgemm.MultiplyRows"/>), so the im2col pass (KH*KW copies of the input, written to
/// memory and read back) disappears; the price is Wq - OW extra product columns per output row, dropped as the result
/// is copied out with the residual and ReLU. Small maps put several samples in one product so that the GEMM has
/// enough columns. Each kept output is the im2col path's K-ordered sum of the same products, bit for bit.
/// </summary>
internal static unsafe class Conv2dShiftedRows
{
    /// <summary>Product columns a block of samples aims for (small maps): enough to keep the micro-kernel's panels full.</summary>
    private const int TargetColumns = 2048;

    /// <summary>True when the extra columns cost at most an eighth of the product (geometry only, never the thread count).</summary>
    public static bool Applies(in Conv2dGeometry g) => 8L * g.OutWidth >= 7L * new Layout(g, 1).RowLength;

    /// <summary>y = act(conv(x, w) + bias + residual) (bias, residual null: none).</summary>
    public static void Forward(in Conv2dGeometry g, float* x, float* w, float* bias, float* residual, in FusedActivation activation, float* y)
    {
        Conv2dGeometry geometry = g;
        FusedActivation act = activation;
        int perSample = g.OutHeight * new Layout(g, 1).RowLength;
        int samples = Math.Clamp(TargetColumns / Math.Max(1, perSample), 1, Math.Max(1, g.Batch));
        var layout = new Layout(g, samples);
        int blocks = (g.Batch + samples - 1) / samples;
        long workPerBlock = 2L * samples * g.OutChannels * g.OutHeight * g.OutWidth * g.GroupInChannels * g.KernelHeight * g.KernelWidth;
        bool blockParallel = blocks >= KernelParallel.MaxDegree && KernelParallel.ChunkCount(blocks, workPerBlock) > 1;
        if (blockParallel)
        {
            KernelParallel.For(blocks, workPerBlock, (first, end) => RunBlocks(geometry, layout, x, w, bias, residual, act, y, first, end, parallel: false));
        }
        else
        {
            RunBlocks(geometry, layout, x, w, bias, residual, act, y, 0, blocks, parallel: true);
        }
    }

    private static void RunBlocks(in Conv2dGeometry g, Layout layout, float* x, float* w, float* bias, float* residual, FusedActivation activation, float* y,
        int first, int end, bool parallel)
    {
        // One scratch array per worker for the planes and the product (the scratch keeps one large array per core).
        int planesLength = checked((int)layout.GroupLength);
        float[] scratch = ScratchBuffer.Shared.Rent(checked(planesLength + g.GroupOutChannels * layout.Columns));
        nint[] rows = ArrayPool<nint>.Shared.Rent(layout.KernelSize);
        try
        {
            fixed (float* pp = scratch)
            fixed (nint* prow = rows)
            {
                float* pr = pp + planesLength;
                layout.FillRowPointers(g, pp, (float**)prow);
                layout.ClearPlanes(pp);
                for (int block = first; block < end; block++)
                {
                    int n0 = block * layout.Samples, count = Math.Min(layout.Samples, g.Batch - n0);
                    for (int group = 0; group < g.Groups; group++)
                        ForwardBlock(g, layout, n0, count, group, x, w, bias, residual, activation, y, pp, pr, (float**)prow, parallel);
                }
            }
        }
        finally
        {
            ArrayPool<nint>.Shared.Return(rows);
            ScratchBuffer.Shared.Return(scratch);
        }
    }

    /// <summary>Samples [n0, n0 + count) of one group; a short last block leaves its missing samples' planes zero.</summary>
    private static void ForwardBlock(in Conv2dGeometry g, Layout layout, int n0, int count, int group, float* x, float* w, float* bias, float* residual,
        in FusedActivation activation, float* y, float* planes, float* product, float** rows, bool parallel)
    {
        int groupIn = g.GroupInChannels, groupOut = g.GroupOutChannels, inPlane = g.InHeight * g.InWidth;
        int outH = g.OutHeight, outW = g.OutWidth, spatial = outH * outW;
        long sampleStride = (long)g.InChannels * inPlane;
        float* xg = x + ((long)n0 * g.InChannels + group * groupIn) * inPlane;
        Conv2dGeometry geometry = g;
        FusedActivation act = activation;
        KernelParallel.For(groupIn, parallel ? (long)count * inPlane : 0, (c0, c1) =>
        {
            for (int c = c0; c < c1; c++) layout.FillPlanes(geometry, xg + (long)c * inPlane, sampleStride, count, planes + c * layout.ChannelLength);
        });

        // The bias goes in with the first depth block as on the im2col path; the residual and activation at copy-out.
        var epilogue = new GemmEpilogue(bias == null ? null : bias + group * groupOut, null, FusedActivation.None);
        Sgemm.MultiplyRows(false, groupOut, layout.Columns, layout.KernelSize, 1f,
            new ReadOnlySpan<float>(w + (long)group * groupOut * layout.KernelSize, groupOut * layout.KernelSize), layout.KernelSize,
            rows, 0f, new Span<float>(product, groupOut * layout.Columns), layout.Columns, parallel, epilogue);

        int rowLength = layout.RowLength, samples = layout.Samples, columns = layout.Columns;
        KernelParallel.For(count * groupOut, parallel ? spatial : 0, [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] (i0, i1) =>
        {
            for (int i = i0; i < i1; i++)
            {
                int j = i / groupOut, o = i % groupOut;
                long outOffset = ((long)(n0 + j) * geometry.OutChannels + group * groupOut + o) * spatial;
                float* result = product + (long)o * columns + (long)j * rowLength;
                for (int oh = 0; oh < outH; oh++)
                {
                    long at = outOffset + (long)oh * outW;
                    ResidualActivation.Apply(result + (long)oh * samples * rowLength, residual == null ? null : residual + at, act, y + at, outW);
                }
            }
        });
    }

    /// <summary>Sizes of the phase planes of one block of samples and one group.</summary>
    private readonly struct Layout
    {
        public Layout(in Conv2dGeometry g, int samples)
        {
            Samples = samples;
            PhasesH = Math.Min(g.StrideH, (g.KernelHeight - 1) * g.DilationH + 1);
            PhasesW = Math.Min(g.StrideW, (g.KernelWidth - 1) * g.DilationW + 1);
            int outW = g.OutWidth, rowLength = outW;
            for (int b = 0; b < PhasesW; b++)
            {
                // Plane columns j hold input column sw*j + b - padLeft: data on [first, end), zeros around it.
                (int first, int end) = DataColumns(g, b);
                rowLength = Math.Max(rowLength, end);
                int reach = -1;
                for (int kw = 0; kw < g.KernelWidth; kw++)
                    if (kw * g.DilationW % g.StrideW == b) reach = Math.Max(reach, kw * g.DilationW / g.StrideW);
                // Reads up to column OW - 1 + reach wrap no further than the next row's leading zeros.
                if (reach >= 0) rowLength = Math.Max(rowLength, outW + reach - first);
            }
            RowLength = rowLength;
            PlaneRows = g.OutHeight + (g.KernelHeight - 1) * g.DilationH / g.StrideH;
            // One zero row after the plane's rows takes the wrap of its last row.
            PlaneLength = (long)(PlaneRows + 1) * samples * RowLength;
            ChannelLength = PlaneLength * PhasesH * PhasesW;
            GroupLength = ChannelLength * g.GroupInChannels;
            Columns = checked(g.OutHeight * samples * RowLength);
            KernelSize = g.GroupInChannels * g.KernelHeight * g.KernelWidth;
        }

        /// <summary>Samples side by side in a plane row.</summary>
        public int Samples { get; }

        /// <summary>Phases along the height: min(stride, the kernel's reach).</summary>
        public int PhasesH { get; }

        /// <summary>Phases along the width.</summary>
        public int PhasesW { get; }

        /// <summary>Wq: one sample's part of a plane row.</summary>
        public int RowLength { get; }

        /// <summary>Rows of a plane holding data or padding: OH + (KH - 1) * dH / sh.</summary>
        public int PlaneRows { get; }

        /// <summary>(PlaneRows + 1) * Samples * Wq.</summary>
        public long PlaneLength { get; }

        /// <summary>All phase planes of one channel.</summary>
        public long ChannelLength { get; }

        /// <summary>All planes of a group.</summary>
        public long GroupLength { get; }

        /// <summary>GEMM columns: OH * Samples * Wq.</summary>
        public int Columns { get; }

        /// <summary>GEMM depth: Cg * KH * KW.</summary>
        public int KernelSize { get; }

        /// <summary>rows[(c * KH + kh) * KW + kw] = start of that tap's run (the im2col row order).</summary>
        public void FillRowPointers(in Conv2dGeometry g, float* planes, float** rows)
        {
            long planeRow = (long)Samples * RowLength;
            int p = 0;
            for (int c = 0; c < g.GroupInChannels; c++)
                for (int kh = 0; kh < g.KernelHeight; kh++)
                    for (int kw = 0; kw < g.KernelWidth; kw++)
                    {
                        int down = kh * g.DilationH, right = kw * g.DilationW;
                        long plane = c * ChannelLength + (down % g.StrideH * PhasesW + right % g.StrideW) * PlaneLength;
                        rows[p++] = planes + plane + down / g.StrideH * planeRow + right / g.StrideW;
                    }
        }

        /// <summary>
        /// Writes the data runs of every phase plane of one input channel of <paramref name="count"/> samples (channel
        /// planes <paramref name="sampleStride"/> apart), and zeros in the runs of samples past the count. Everything
        /// else in the planes (gaps, pad rows, closing rows) is zero from <see cref="ClearPlanes"/> and never written.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public void FillPlanes(in Conv2dGeometry g, float* src, long sampleStride, int count, float* channel)
        {
            long planeRow = (long)Samples * RowLength;
            for (int a = 0; a < PhasesH; a++)
            {
                // Plane rows i whose input row i*sh + a - padTop lies in the input.
                int iFirst = Math.Max(0, CeilDiv(g.PadTop - a, g.StrideH));
                int iEnd = Math.Min(PlaneRows, Math.Max(iFirst, CeilDiv(g.InHeight + g.PadTop - a, g.StrideH)));
                for (int b = 0; b < PhasesW; b++)
                {
                    float* plane = channel + (a * PhasesW + b) * PlaneLength;
                    (int first, int end) = DataColumns(g, b);
                    int length = end - first;
                    if (length <= 0) continue;
                    for (int i = iFirst; i < iEnd; i++)
                    {
                        int ih = i * g.StrideH + a - g.PadTop;
                        for (int n = 0; n < Samples; n++)
                        {
                            float* run = plane + i * planeRow + (long)n * RowLength + first;
                            if (n >= count)
                            {
                                new Span<float>(run, length).Clear();
                                continue;
                            }
                            float* input = src + n * sampleStride + (long)ih * g.InWidth + first * g.StrideW + b - g.PadLeft;
                            StridedGather.Apply(input, run, length, g.StrideW, g.InWidth - (first * g.StrideW + b - g.PadLeft));
                        }
                    }
                }
            }
        }

        /// <summary>Zeros all planes of a sample-group (once per worker: later blocks rewrite only the data runs).</summary>
        public void ClearPlanes(float* planes) => new Span<float>(planes, checked((int)GroupLength)).Clear();

        /// <summary>Plane columns [first, end) of phase <paramref name="b"/> that hold input columns (sw*j + b - padLeft in [0, W)).</summary>
        private static (int First, int End) DataColumns(in Conv2dGeometry g, int b)
        {
            int first = Math.Max(0, CeilDiv(g.PadLeft - b, g.StrideW));
            int end = Math.Max(first, CeilDiv(g.InWidth + g.PadLeft - b, g.StrideW));
            return (first, end);
        }

        private static int CeilDiv(int value, int divisor) => value <= 0 ? -(-value / divisor) : (value + divisor - 1) / divisor;
    }
}
