using System.Runtime.Intrinsics;
using ModelAudit.Tensors.Kernels.Elementwise;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// What a convolution's GEMM applies to each C tile while it is still in cache: a per-row bias after the first depth
/// block (C = bias + first partial sum, which is exactly what filling C with the bias and multiplying with beta = 1
/// gives), and after the last depth block a residual matrix (same layout and row stride as C) added and/or an
/// activation (<see cref="ResidualActivation"/>). Each element sees the operations of the unfused bias fill, GEMM, Add
/// and activation node(s) in the same order, so the result is bit-identical to them. A multiply with a bias must have beta = 0.
/// </summary>
internal readonly unsafe struct GemmEpilogue(float* rowBias, float* residual, FusedActivation activation)
{
    /// <summary>Bias per row of C (length m), or null.</summary>
    public readonly float* RowBias = rowBias;

    /// <summary>Added to C after the product, same row stride as C, or null.</summary>
    public readonly float* Residual = residual;

    /// <summary>Applied last.</summary>
    public readonly FusedActivation Activation = activation;

    /// <summary>True when the activation is a ReLU (which a micro-kernel may apply in registers).</summary>
    public bool Relu => Activation.Kind == FusedActivationKind.Relu;

    /// <summary>
    /// True when the activation is one a micro-kernel does not apply in registers (anything but a ReLU): it then applies
    /// the bias and residual in registers and leaves the activation to <see cref="ApplyActivation"/> on the stored tile,
    /// the same operations in the same order.
    /// </summary>
    public bool ActivationAfterStore => Activation.IsActive && !Relu;

    /// <summary>True when there is nothing to apply.</summary>
    public bool IsEmpty => RowBias == null && !HasTail;

    /// <summary>True when there is a residual or an activation to apply after the last depth block.</summary>
    public bool HasTail => Residual != null || Activation.IsActive;

    /// <summary>C[i, j] += bias[i0 + i] on a rows x cols tile at <paramref name="c"/> (C row i0 first).</summary>
    public void AddBias(float* c, int ldc, int i0, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            float* row = c + (long)r * ldc;
            float b = RowBias[i0 + r];
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                var bv = Vector512.Create(b);
                for (; j + 16 <= cols; j += 16) Vector512.Store(Vector512.Load(row + j) + bv, row + j);
            }
            for (; j < cols; j++) row[j] += b;
        }
    }

    /// <summary>The activation alone on a rows x cols tile at <paramref name="c"/> (row stride <paramref name="ldc"/>).</summary>
    public void ApplyActivation(float* c, int ldc, int rows, int cols)
    {
        for (int r = 0; r < rows; r++) ResidualActivation.Apply(c + (long)r * ldc, null, Activation, c + (long)r * ldc, cols);
    }

    /// <summary>Residual and activation on a rows x cols tile at element offset <paramref name="offset"/> of C (row stride <paramref name="ldc"/>).</summary>
    public void ApplyTail(float* c, long offset, int ldc, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            long at = offset + (long)r * ldc;
            ResidualActivation.Apply(c + (long)r * ldc, Residual == null ? null : Residual + at, Activation, c + (long)r * ldc, cols);
        }
    }
}
