namespace ModelAudit.Tensors.Kernels.Layout;

/// <summary>
/// Where a channels-in-lanes kernel stores a run of positions: channel c's first <see cref="Columns"/> values at
/// <see cref="Row"/> + c * <see cref="PlaneStride"/>, for c below <see cref="Channels"/> (the rest of a 16-channel block
/// is padding and not stored).
/// </summary>
internal readonly unsafe struct PlaneRun(float* row, long planeStride, int channels, int columns)
{
    /// <summary>The run's first position in channel 0's plane.</summary>
    public readonly float* Row = row;

    /// <summary>Floats between consecutive channels' planes.</summary>
    public readonly long PlaneStride = planeStride;

    /// <summary>Channels stored (at most 16).</summary>
    public readonly int Channels = channels;

    /// <summary>Positions stored per channel (at most 16).</summary>
    public readonly int Columns = columns;
}
