namespace ModelAudit.Tensors.Operations;

/// <summary>Shared argument checks for shape inference, with messages that name the shapes.</summary>
internal static class OperationChecks
{
    /// <summary>Throws unless between <paramref name="min"/> and <paramref name="max"/> inputs are given.</summary>
    public static void InputCount(string kind, IReadOnlyList<TensorShape> inputs, int min, int max)
    {
        if (inputs.Count < min || inputs.Count > max)
        {
            string expected = min == max ? $"{min}" : $"{min} to {max}";
            throw new ShapeMismatchException($"{kind} takes {expected} inputs but got {inputs.Count}.");
        }
    }

    /// <summary>Throws unless the input named <paramref name="inputName"/> has rank <paramref name="rank"/>.</summary>
    public static void Rank(string kind, string inputName, TensorShape shape, int rank)
    {
        if (shape.Rank != rank)
            throw new ShapeMismatchException($"{kind} input {inputName} must have rank {rank} but has shape {shape}.");
    }

    /// <summary>Normalises an axis against <paramref name="shape"/> or throws naming the shape.</summary>
    public static int Axis(string kind, int axis, TensorShape shape)
    {
        int a = axis < 0 ? axis + shape.Rank : axis;
        if (a < 0 || a >= shape.Rank)
            throw new ShapeMismatchException($"{kind} axis {axis} is out of range for input shape {shape}.");
        return a;
    }

    /// <summary>The gradient tensors' backend: that of the first input.</summary>
    public static IComputeBackend Backend(IReadOnlyList<Tensor> inputs) => inputs[0].Backend;
}
