namespace ModelAudit.Tensors.Operations;

/// <summary>
/// A differentiable operation: shape inference, a forward kernel and its vector-Jacobian product.
/// Instances hold only their attributes (fully resolved, concrete numbers) and are immutable, so a
/// plan can run them from several threads.
/// </summary>
public abstract class Operation
{
    /// <summary>A short name of the operation kind, e.g. <c>Conv2d</c>, used in messages.</summary>
    public abstract string Kind { get; }

    /// <summary>Number of outputs (1 for almost every operation).</summary>
    public virtual int OutputCount => 1;

    /// <summary>Output shapes for concrete input shapes; throws <see cref="ShapeMismatchException"/> when the inputs do not fit.</summary>
    public abstract TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs);

    /// <summary>
    /// Computes the outputs. <paramref name="outputs"/> are allocated by the caller with the inferred shapes;
    /// their contents on entry are unspecified.
    /// </summary>
    public abstract void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs);

    /// <summary>
    /// The vector-Jacobian product: given the gradients of a scalar with respect to the outputs
    /// (null where an output did not influence it), returns the gradient with respect to each input for
    /// which <paramref name="needInputGradient"/> is true (null elsewhere). Returned tensors are new
    /// allocations owned by the caller.
    /// </summary>
    public abstract Tensor?[] Backward(
        IReadOnlyList<Tensor> inputs,
        IReadOnlyList<Tensor> outputs,
        IReadOnlyList<Tensor?> outputGradients,
        IReadOnlyList<bool> needInputGradient);

    /// <summary>False for inputs that carry no gradient (integer-like or shape inputs).</summary>
    public virtual bool IsDifferentiable(int inputIndex) => true;

    /// <summary>True when <see cref="Backward"/> reads input <paramref name="inputIndex"/>; lets the executor free it early otherwise.</summary>
    public virtual bool BackwardReadsInput(int inputIndex) => true;

    /// <summary>True when <see cref="Backward"/> reads output <paramref name="outputIndex"/>.</summary>
    public virtual bool BackwardReadsOutput(int outputIndex) => false;

    /// <summary>
    /// True when the gradient with respect to input <paramref name="inputIndex"/> is the (single) output's gradient
    /// itself wherever that input has the output's shape (both inputs of Add, the first of Sub). The executor then hands
    /// the output's gradient on to that input instead of asking <see cref="Backward"/> for a copy.
    /// </summary>
    public virtual bool PassesGradientThrough(int inputIndex) => false;

    /// <inheritdoc/>
    public override string ToString() => Kind;
}

/// <summary>Input shapes that an operation cannot accept.</summary>
public sealed class ShapeMismatchException(string message) : Exception(message);
