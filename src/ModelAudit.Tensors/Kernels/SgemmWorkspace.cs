using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Per-thread packing buffers for <see cref="Sgemm"/>, allocated once per thread (pinned, 64-byte aligned)
/// so repeated multiplies do not allocate.
/// </summary>
internal sealed unsafe class SgemmWorkspace
{
    [ThreadStatic] private static SgemmWorkspace? t_current;

    // Pinned arrays keep the buffers alive; the aligned pointers point into them.
    private readonly float[] _aStorage;
    private readonly float[] _bStorage;

    private SgemmWorkspace()
    {
        // Slack after the A block: the 6-row packer's last 8-float store runs 2 floats past the panel.
        PackedA = Allocate(Sgemm.BlockM * Sgemm.BlockK + 8, out _aStorage);
        PackedB = Allocate(Sgemm.BlockN * Sgemm.BlockK, out _bStorage);
    }

    /// <summary>The calling thread's workspace.</summary>
    public static SgemmWorkspace Current => t_current ??= new SgemmWorkspace();

    /// <summary>Room for a BlockM x BlockK block of A, packed in MR-row panels.</summary>
    public float* PackedA { get; }

    /// <summary>Room for a BlockK x BlockN panel of B, packed in NR-column panels.</summary>
    public float* PackedB { get; }

    private static float* Allocate(int elements, out float[] storage)
    {
        const int AlignFloats = 16;
        storage = GC.AllocateUninitializedArray<float>(elements + AlignFloats, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(storage));
        nint aligned = (address + 63) & ~(nint)63;
        return (float*)aligned;
    }
}
