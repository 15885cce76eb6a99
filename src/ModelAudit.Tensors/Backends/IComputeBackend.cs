using ModelAudit.Tensors.Kernels;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors;

/// <summary>
/// The seam every kernel sits behind. Operations call the backend of their input tensors, so a device
/// backend (CUDA, a later issue) plugs in by implementing this interface, without touching callers.
/// Every entry point takes <see cref="Tensor"/> arguments (never spans) so an implementation can work
/// over device memory. Shapes are read from the tensors; offsets and strides are in elements.
/// </summary>
/// <remarks>
/// Each member has a managed implementation in <see cref="CpuBackend"/>. Implementations must be
/// thread-safe for concurrent calls on distinct tensors, and deterministic.
/// </remarks>
public interface IComputeBackend
{
    /// <summary>Name used to select the backend, e.g. <c>cpu</c>.</summary>
    string Name { get; }

    /// <summary>Allocates a tensor from the backend's pool, zero-filled when <paramref name="clear"/>.</summary>
    Tensor Allocate(TensorShape shape, bool clear);

    /// <summary>Copies all elements of <paramref name="source"/> into <paramref name="destination"/> (same element count).</summary>
    void Copy(Tensor source, Tensor destination);

    /// <summary>Sets every element of <paramref name="destination"/> to <paramref name="value"/>.</summary>
    void Fill(Tensor destination, float value);

    /// <summary>destination += alpha * source, element-wise (same element count).</summary>
    void Axpy(float alpha, Tensor source, Tensor destination);

    /// <summary>
    /// Row-major C = alpha * op(A) op(B) + beta * C on sub-matrices starting at the given element offsets;
    /// op(A) is m x k, op(B) is k x n; lda, ldb, ldc are the row strides as stored.
    /// </summary>
    void Gemm(bool transA, bool transB, int m, int n, int k, float alpha,
        Tensor a, int aOffset, int lda, Tensor b, int bOffset, int ldb,
        float beta, Tensor c, int cOffset, int ldc);

    /// <summary>
    /// Many independent products of one size: for every p, C_p = alpha * op(A_p) op(B_p) + beta * C_p with
    /// A_p, B_p, C_p starting at <paramref name="aOffsets"/>[p], <paramref name="bOffsets"/>[p],
    /// <paramref name="cOffsets"/>[p] (C blocks must not overlap). Each product is computed exactly as
    /// <see cref="Gemm"/> computes it, so results do not depend on how products are scheduled.
    /// </summary>
    void GemmBatched(bool transA, bool transB, int m, int n, int k, float alpha,
        Tensor a, int[] aOffsets, int lda, Tensor b, int[] bOffsets, int ldb,
        float beta, Tensor c, int[] cOffsets, int ldc)
    {
        ArgumentNullException.ThrowIfNull(aOffsets);
        ArgumentNullException.ThrowIfNull(bOffsets);
        ArgumentNullException.ThrowIfNull(cOffsets);
        for (int p = 0; p < cOffsets.Length; p++)
            Gemm(transA, transB, m, n, k, alpha, a, aOffsets[p], lda, b, bOffsets[p], ldb, beta, c, cOffsets[p], ldc);
    }

    /// <summary>2-D convolution forward, NCHW input, OIHW weights, optional bias [O].</summary>
    void Conv2dForward(in Conv2dGeometry geometry, Tensor x, Tensor weights, Tensor? bias, Tensor y);

    /// <summary>
    /// y = act(conv(x) + bias + residual), the residual (shaped as y) and the activation optional: a convolution with
    /// the Add and activation node(s) that consume it, bit-identical to running them one after the other (which is what
    /// this default does; a backend that can apply them while the output is in cache overrides it).
    /// </summary>
    void Conv2dForwardFused(in Conv2dGeometry geometry, Tensor x, Tensor weights, Tensor? bias, Tensor? residual, in FusedActivation activation, Tensor y)
    {
        Conv2dForward(geometry, x, weights, bias, y);
        if (residual is not null) BinaryForward(BinaryKind.Add, y, residual, y);
        switch (activation.Kind)
        {
            case FusedActivationKind.Relu:
                UnaryForward(UnaryKind.Relu, 0f, 0f, y, y);
                break;
            case FusedActivationKind.HardSigmoid:
                UnaryForward(UnaryKind.HardSigmoid, activation.Alpha, activation.Beta, y, y);
                break;
            case FusedActivationKind.GatedHardSigmoid:
                using (var gate = Allocate(y.Shape, clear: false))
                {
                    UnaryForward(UnaryKind.HardSigmoid, activation.Alpha, activation.Beta, y, gate);
                    BinaryForward(BinaryKind.Mul, y, gate, y);
                }
                break;
        }
    }

    /// <summary>Gradient of a 2-D convolution with respect to its input (overwrites <paramref name="dx"/>).</summary>
    void Conv2dBackwardData(in Conv2dGeometry geometry, Tensor dy, Tensor weights, Tensor dx);

    /// <summary>Gradients of a 2-D convolution with respect to weights and, when given, bias (overwritten).</summary>
    void Conv2dBackwardFilter(in Conv2dGeometry geometry, Tensor x, Tensor dy, Tensor dWeights, Tensor? dBias);

    /// <summary>3-D convolution forward, [N,C,D,H,W] input, [O,C/groups,kd,kh,kw] weights, optional bias [O].</summary>
    void Conv3dForward(in Conv3dGeometry geometry, Tensor x, Tensor weights, Tensor? bias, Tensor y);

    /// <summary>Gradient of a 3-D convolution with respect to its input (overwrites <paramref name="dx"/>).</summary>
    void Conv3dBackwardData(in Conv3dGeometry geometry, Tensor dy, Tensor weights, Tensor dx);

    /// <summary>Gradients of a 3-D convolution with respect to weights and, when given, bias (overwritten).</summary>
    void Conv3dBackwardFilter(in Conv3dGeometry geometry, Tensor x, Tensor dy, Tensor dWeights, Tensor? dBias);

    /// <summary>3-D max (or, with <paramref name="average"/>, average) pooling forward.</summary>
    void Pool3dForward(in Pool3dGeometry geometry, bool average, bool countIncludePad, Tensor x, Tensor y);

    /// <summary>Gradient of <see cref="Pool3dForward"/> (max pooling reads <paramref name="x"/>; overwrites <paramref name="dx"/>).</summary>
    void Pool3dBackward(in Pool3dGeometry geometry, bool average, bool countIncludePad, Tensor x, Tensor dy, Tensor dx);

    /// <summary>
    /// The <paramref name="k"/> largest (or smallest) elements along the middle axis of x viewed as
    /// [outer, axisLength, inner], sorted, ties to the lower index; indices as float32 whole numbers.
    /// </summary>
    void TopKForward(int outer, int axisLength, int inner, int k, bool largest, Tensor x, Tensor values, Tensor indices);

    /// <summary>Gradient of <see cref="TopKForward"/>'s values: dvalues scattered to the selected positions (overwrites <paramref name="dx"/>).</summary>
    void TopKBackward(int outer, int axisLength, int inner, int k, Tensor indices, Tensor dValues, Tensor dx);

    /// <summary>2-D max pooling forward.</summary>
    void MaxPool2dForward(in Pool2dGeometry geometry, Tensor x, Tensor y);

    /// <summary>Gradient of 2-D max pooling; the arg-max is recomputed from <paramref name="x"/> (overwrites <paramref name="dx"/>).</summary>
    void MaxPool2dBackward(in Pool2dGeometry geometry, Tensor x, Tensor dy, Tensor dx);

    /// <summary>2-D average pooling forward.</summary>
    void AveragePool2dForward(in Pool2dGeometry geometry, bool countIncludePad, Tensor x, Tensor y);

    /// <summary>Gradient of 2-D average pooling (overwrites <paramref name="dx"/>).</summary>
    void AveragePool2dBackward(in Pool2dGeometry geometry, bool countIncludePad, Tensor dy, Tensor dx);

    /// <summary>Mean over the spatial dimensions of [N,C,...] into [N,C,1,...].</summary>
    void GlobalAveragePoolForward(Tensor x, Tensor y);

    /// <summary>Gradient of <see cref="GlobalAveragePoolForward"/> (overwrites <paramref name="dx"/>).</summary>
    void GlobalAveragePoolBackward(Tensor dy, Tensor dx);

    /// <summary>y = a (op) b with NumPy broadcasting; <paramref name="y"/> has the broadcast shape.</summary>
    void BinaryForward(BinaryKind kind, Tensor a, Tensor b, Tensor y);

    /// <summary>
    /// Gradients of <see cref="BinaryForward"/>, reduced to each input's shape; either destination may be
    /// null when not needed (overwritten otherwise).
    /// </summary>
    void BinaryBackward(BinaryKind kind, Tensor a, Tensor b, Tensor dy, Tensor? da, Tensor? db);

    /// <summary>Broadcasts <paramref name="source"/> (NumPy rules) into the shape of <paramref name="destination"/>.</summary>
    void BroadcastTo(Tensor source, Tensor destination);

    /// <summary>Sums <paramref name="source"/> over the dimensions that broadcasting to its shape expanded from <paramref name="destination"/>'s shape (overwrites).</summary>
    void SumToShape(Tensor source, Tensor destination);

    /// <summary>Element-wise activation.</summary>
    void UnaryForward(UnaryKind kind, float alpha, float beta, Tensor x, Tensor y);

    /// <summary>dx = dy * f'(x) for the activation (<paramref name="y"/> is its forward output).</summary>
    void UnaryBackward(UnaryKind kind, float alpha, float beta, Tensor x, Tensor y, Tensor dy, Tensor dx);

    /// <summary>y = min(max(x, min), max).</summary>
    void ClipForward(float min, float max, Tensor x, Tensor y);

    /// <summary>dx = dy where min &lt;= x &lt;= max, else 0 (as PyTorch's clamp).</summary>
    void ClipBackward(float min, float max, Tensor x, Tensor dy, Tensor dx);

    /// <summary>Inference batch normalisation over channel axis 1 of [N,C,...].</summary>
    void BatchNormForward(float epsilon, Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor variance, Tensor y);

    /// <summary>Gradients of inference batch normalisation; null destinations are skipped.</summary>
    void BatchNormBackward(float epsilon, Tensor x, Tensor scale, Tensor mean, Tensor variance, Tensor dy, Tensor? dx, Tensor? dScale, Tensor? dBias);

    /// <summary>Softmax (or log-softmax) over the middle axis of x viewed as [outer, axisLength, inner].</summary>
    void SoftmaxForward(bool log, int outer, int axisLength, int inner, Tensor x, Tensor y);

    /// <summary>Gradient of <see cref="SoftmaxForward"/> from its output <paramref name="y"/>.</summary>
    void SoftmaxBackward(bool log, int outer, int axisLength, int inner, Tensor y, Tensor dy, Tensor dx);

    /// <summary>Reduces x over the sorted, normalised <paramref name="axes"/>; y holds the reduced elements in row-major order.</summary>
    void ReduceForward(ReduceKind kind, int[] axes, Tensor x, Tensor y);

    /// <summary>Gradient of <see cref="ReduceForward"/> (Max/Min share the gradient among ties, as PyTorch's amax/amin).</summary>
    void ReduceBackward(ReduceKind kind, int[] axes, Tensor x, Tensor y, Tensor dy, Tensor dx);

    /// <summary>
    /// Copies (or adds, when <paramref name="accumulate"/>) a strided block: for every index i over
    /// <paramref name="extents"/>, dst[dstOffset + i·dstStrides] (+)= src[srcOffset + i·srcStrides].
    /// Strides may be zero (broadcast) or negative.
    /// </summary>
    void StridedCopy(Tensor source, int sourceOffset, int[] sourceStrides,
        Tensor destination, int destinationOffset, int[] destinationStrides, int[] extents, bool accumulate);

    /// <summary>Pads x into y; <paramref name="begins"/> are the leading pads per axis (negative crops).</summary>
    void PadForward(PadMode mode, float value, int[] begins, Tensor x, Tensor y);

    /// <summary>Gradient of <see cref="PadForward"/> (overwrites <paramref name="dx"/>).</summary>
    void PadBackward(PadMode mode, int[] begins, Tensor dy, Tensor dx);

    /// <summary>Gathers slices of x along <paramref name="axis"/> at non-negative <paramref name="indices"/>.</summary>
    void GatherForward(int axis, int[] indices, Tensor x, Tensor y);

    /// <summary>Scatter-adds dy into dx (overwritten) along <paramref name="axis"/>.</summary>
    void GatherBackward(int axis, int[] indices, Tensor dy, Tensor dx);
}
