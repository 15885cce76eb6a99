using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Tests.Graph;

/// <summary>Wraps an operation and counts Backward calls (to observe pruning).</summary>
internal sealed class CountingOperation(Operation inner) : Operation
{
    public int BackwardCalls { get; private set; }

    public override string Kind => inner.Kind;

    public override int OutputCount => inner.OutputCount;

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs) => inner.InferShapes(inputs);

    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs) => inner.Forward(inputs, outputs);

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        BackwardCalls++;
        return inner.Backward(inputs, outputs, outputGradients, needInputGradient);
    }

    public override bool IsDifferentiable(int inputIndex) => inner.IsDifferentiable(inputIndex);

    public override bool BackwardReadsInput(int inputIndex) => inner.BackwardReadsInput(inputIndex);

    public override bool BackwardReadsOutput(int outputIndex) => inner.BackwardReadsOutput(outputIndex);
}
