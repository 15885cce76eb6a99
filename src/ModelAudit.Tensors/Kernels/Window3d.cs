namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// A 3-D sliding window (convolution kernel or pooling window) over [D, H, W]: sizes, strides, pads
/// (begin and end per axis, possibly asymmetric) and dilations; with <see cref="CeilMode"/> output sizes
/// round up (pooling only; a window may start in the padding but never entirely past it).
/// </summary>
public readonly record struct Window3d(
    int KernelD, int KernelH, int KernelW,
    int StrideD = 1, int StrideH = 1, int StrideW = 1,
    int PadD = 0, int PadH = 0, int PadW = 0, int PadDEnd = 0, int PadHEnd = 0, int PadWEnd = 0,
    int DilationD = 1, int DilationH = 1, int DilationW = 1, bool CeilMode = false)
{
    /// <summary>Output depth for input depth <paramref name="d"/>.</summary>
    public int OutD(int d) => OutSize(d, KernelD, StrideD, PadD, PadDEnd, DilationD);

    /// <summary>Output height for input height <paramref name="h"/>.</summary>
    public int OutH(int h) => OutSize(h, KernelH, StrideH, PadH, PadHEnd, DilationH);

    /// <summary>Output width for input width <paramref name="w"/>.</summary>
    public int OutW(int w) => OutSize(w, KernelW, StrideW, PadW, PadWEnd, DilationW);

    private int OutSize(int input, int kernel, int stride, int padBegin, int padEnd, int dilation)
    {
        long span = (long)input + padBegin + padEnd - ((long)dilation * (kernel - 1) + 1);
        if (span < 0) return 0;
        long size = (CeilMode ? (span + stride - 1) / stride : span / stride) + 1;
        if (CeilMode && (size - 1) * stride >= (long)input + padBegin) size--;
        return (int)Math.Min(size, int.MaxValue);
    }

    /// <summary>Throws unless every size, stride and dilation is positive and every pad non-negative.</summary>
    public void Validate()
    {
        foreach (var v in new[] { KernelD, KernelH, KernelW, StrideD, StrideH, StrideW, DilationD, DilationH, DilationW })
            KernelGuard.RequirePositive(v, "window");
        foreach (var v in new[] { PadD, PadH, PadW, PadDEnd, PadHEnd, PadWEnd })
            KernelGuard.RequireNonNegative(v, "pads");
    }
}
