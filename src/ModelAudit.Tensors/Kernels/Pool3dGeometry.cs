namespace ModelAudit.Tensors.Kernels;

/// <summary>Sizes of a 3-D pooling window over [N,C,D,H,W].</summary>
public readonly record struct Pool3dGeometry(int Batch, int Channels, int InD, int InH, int InW, Window3d Window)
{
    /// <summary>Output depth.</summary>
    public int OutD => Window.OutD(InD);

    /// <summary>Output height.</summary>
    public int OutH => Window.OutH(InH);

    /// <summary>Output width.</summary>
    public int OutW => Window.OutW(InW);
}
