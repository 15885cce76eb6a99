namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Sizes of a 2-D pooling window over NCHW input. Padding may be asymmetric; with
/// <see cref="CeilMode"/> the output size rounds up (a window may then start in the padding but never
/// entirely past it, as ONNX and PyTorch define).
/// </summary>
public readonly record struct Pool2dGeometry(
    int Batch, int Channels, int InHeight, int InWidth,
    int KernelHeight, int KernelWidth,
    int StrideH = 1, int StrideW = 1,
    int PadTop = 0, int PadLeft = 0, int PadBottom = 0, int PadRight = 0,
    int DilationH = 1, int DilationW = 1, bool CeilMode = false)
{
    /// <summary>Output height.</summary>
    public int OutHeight => OutSize(InHeight, KernelHeight, StrideH, PadTop, PadBottom, DilationH);

    /// <summary>Output width.</summary>
    public int OutWidth => OutSize(InWidth, KernelWidth, StrideW, PadLeft, PadRight, DilationW);

    private int OutSize(int input, int kernel, int stride, int padBegin, int padEnd, int dilation)
    {
        int span = input + padBegin + padEnd - (dilation * (kernel - 1) + 1);
        int size = (CeilMode ? (span + stride - 1) / stride : span / stride) + 1;
        // The last window must start inside the input or the leading padding.
        if (CeilMode && (size - 1) * stride >= input + padBegin) size--;
        return size;
    }
}
