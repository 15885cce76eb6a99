namespace ModelAudit.Tensors.Operations;

/// <summary>
/// Softmax or log-softmax over an axis (one kernel with a flag); <c>coerceTo2D</c> gives the opset &lt; 13
/// semantics (flatten to 2-D at the axis).
/// </summary>
public abstract class SoftmaxOperation : Operation
{
    private readonly bool _log;

    private protected SoftmaxOperation(int axis, bool coerceTo2D, bool log)
    {
        Axis = axis;
        CoerceTo2D = coerceTo2D;
        _log = log;
    }

    /// <summary>The axis as given (possibly negative).</summary>
    public int Axis { get; }

    /// <summary>Whether the input is flattened to [prod(dims &lt; axis), prod(dims &gt;= axis)] first.</summary>
    public bool CoerceTo2D { get; }

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 1, 1);
        SoftmaxAxes.Split(Kind, Axis, CoerceTo2D, inputs[0]);
        return [inputs[0]];
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
    {
        var (outer, axisLength, inner) = SoftmaxAxes.Split(Kind, Axis, CoerceTo2D, inputs[0].Shape);
        inputs[0].Backend.SoftmaxForward(_log, outer, axisLength, inner, inputs[0], outputs[0]);
    }

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var dy = outputGradients[0];
        if (dy is null || !needInputGradient[0]) return [null];
        var (outer, axisLength, inner) = SoftmaxAxes.Split(Kind, Axis, CoerceTo2D, inputs[0].Shape);
        var backend = OperationChecks.Backend(inputs);
        var dx = backend.Allocate(inputs[0].Shape, clear: false);
        backend.SoftmaxBackward(_log, outer, axisLength, inner, outputs[0], dy, dx);
        return [dx];
    }

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => false;

    /// <inheritdoc/>
    public override bool BackwardReadsOutput(int outputIndex) => true;
}

/// <summary>Softmax over an axis.</summary>
/// <param name="axis">The axis (negative counts from the end).</param>
/// <param name="coerceTo2D">Opset &lt; 13 semantics.</param>
public sealed class Softmax(int axis, bool coerceTo2D) : SoftmaxOperation(axis, coerceTo2D, log: false)
{
    /// <inheritdoc/>
    public override string Kind => "Softmax";
}

/// <summary>Log of the softmax over an axis, computed stably.</summary>
/// <param name="axis">The axis (negative counts from the end).</param>
/// <param name="coerceTo2D">Opset &lt; 13 semantics.</param>
public sealed class LogSoftmax(int axis, bool coerceTo2D) : SoftmaxOperation(axis, coerceTo2D, log: true)
{
    /// <inheritdoc/>
    public override string Kind => "LogSoftmax";
}
