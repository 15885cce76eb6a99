namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Sizes of a 2-D convolution over NCHW input with OIHW weights (O = output channels, I = C / groups).
/// Padding may be asymmetric.
/// </summary>
public readonly record struct Conv2dGeometry(
    int Batch, int InChannels, int InHeight, int InWidth,
    int OutChannels, int KernelHeight, int KernelWidth,
    int StrideH = 1, int StrideW = 1,
    int PadTop = 0, int PadLeft = 0, int PadBottom = 0, int PadRight = 0,
    int DilationH = 1, int DilationW = 1, int Groups = 1)
{
    /// <summary>Output height.</summary>
    public int OutHeight => (InHeight + PadTop + PadBottom - (DilationH * (KernelHeight - 1) + 1)) / StrideH + 1;

    /// <summary>Output width.</summary>
    public int OutWidth => (InWidth + PadLeft + PadRight - (DilationW * (KernelWidth - 1) + 1)) / StrideW + 1;

    /// <summary>Input channels per group.</summary>
    public int GroupInChannels => InChannels / Groups;

    /// <summary>Output channels per group.</summary>
    public int GroupOutChannels => OutChannels / Groups;
}
