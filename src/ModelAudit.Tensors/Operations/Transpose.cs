namespace ModelAudit.Tensors.Operations;

/// <summary>Permutes dimensions: output dimension i is input dimension perm[i].</summary>
public sealed class Transpose : Operation
{
    private readonly int[] _perm;

    /// <summary>Creates the operation.</summary>
    public Transpose(int[] perm) => _perm = (int[])perm.Clone();

    /// <summary>The permutation.</summary>
    public IReadOnlyList<int> Perm => _perm;

    /// <inheritdoc/>
    public override string Kind => "Transpose";

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 1, 1);
        var x = inputs[0];
        if (_perm.Length != x.Rank || _perm.Order().Where((p, i) => p != i).Any())
            throw new ShapeMismatchException($"Transpose permutation [{string.Join(",", _perm)}] does not fit input {x}.");
        return [new TensorShape(_perm.Select(p => x[p]).ToArray())];
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> with the output axes permuted by <paramref name="perm"/>.</summary>
    private static void Permute(int[] perm, Tensor source, Tensor destination)
    {
        var strides = source.Shape.Strides();
        var read = perm.Select(p => strides[p]).ToArray();
        source.Backend.StridedCopy(source, 0, read, destination, 0, destination.Shape.Strides(), destination.Shape.ToArray(), accumulate: false);
    }

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs) => Permute(_perm, inputs[0], outputs[0]);

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var dy = outputGradients[0];
        if (dy is null || !needInputGradient[0]) return [null];
        var inverse = new int[_perm.Length];
        for (int i = 0; i < _perm.Length; i++) inverse[_perm[i]] = i;
        var dx = OperationChecks.Backend(inputs).Allocate(inputs[0].Shape, clear: false);
        Permute(inverse, dy, dx);
        return [dx];
    }

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => false;
}
