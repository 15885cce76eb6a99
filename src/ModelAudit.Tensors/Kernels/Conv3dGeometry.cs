namespace ModelAudit.Tensors.Kernels;

/// <summary>Sizes of a 3-D convolution over [N,C,D,H,W] with weights [O, C/groups, kd, kh, kw].</summary>
public readonly record struct Conv3dGeometry(
    int Batch, int InChannels, int InD, int InH, int InW, int OutChannels, Window3d Window, int Groups = 1)
{
    /// <summary>Output depth.</summary>
    public int OutD => Window.OutD(InD);

    /// <summary>Output height.</summary>
    public int OutH => Window.OutH(InH);

    /// <summary>Output width.</summary>
    public int OutW => Window.OutW(InW);

    /// <summary>Throws unless the sizes are consistent (positive, channels divisible by the groups).</summary>
    public void Validate()
    {
        Window.Validate();
        KernelGuard.RequirePositive(Groups, nameof(Groups));
        foreach (var v in new[] { Batch, InChannels, InD, InH, InW, OutChannels })
            KernelGuard.RequirePositive(v, "sizes");
        if (InChannels % Groups != 0 || OutChannels % Groups != 0)
            throw new ArgumentException($"Channels {InChannels} -> {OutChannels} are not divisible by {Groups} groups.");
    }
}
