using ModelAudit.Tensors.Kernels.Layout;

namespace ModelAudit.Tensors.Operations;

/// <summary>A test of two floats; a struct so the broadcast loop is specialised per test.</summary>
internal interface IFloatPredicate
{
    /// <summary>The test.</summary>
    static abstract bool Test(float a, float b);
}

/// <summary>
/// The shared driver of the boolean-valued operations (<see cref="Comparison"/>, <see cref="Logical"/>): a predicate of
/// two broadcast inputs, written as the engine holds booleans, 1 for true and 0 for false. Their inputs get no
/// gradient: the output is piecewise constant (its derivative is zero wherever it exists), as PyTorch's comparisons.
/// </summary>
internal static class BooleanResult
{
    /// <summary>The broadcast shape of the two inputs.</summary>
    public static TensorShape[] InferShapes(string kind, IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(kind, inputs, 2, 2);
        return [Broadcasting.Shape(inputs[0], inputs[1])];
    }

    /// <summary>y = predicate(a, b) ? 1 : 0 with NumPy broadcasting, in one pass over y in row-major order.</summary>
    public static void Apply<TPredicate>(Tensor a, Tensor b, Tensor y) where TPredicate : struct, IFloatPredicate
    {
        ReadOnlySpan<float> av = a.Span, bv = b.Span;
        var yv = y.Span;
        if (a.Shape == y.Shape && b.Shape == y.Shape)
        {
            for (int i = 0; i < yv.Length; i++) yv[i] = TPredicate.Test(av[i], bv[i]) ? 1f : 0f;
            return;
        }
        var dims = y.Shape.Dims;
        int rank = dims.Length;
        var sa = Broadcasting.Strides(a.Shape, y.Shape);
        var sb = Broadcasting.Strides(b.Shape, y.Shape);
        Span<int> index = stackalloc int[rank];
        int oa = 0, ob = 0;
        for (int i = 0; i < yv.Length; i++)
        {
            yv[i] = TPredicate.Test(av[oa], bv[ob]) ? 1f : 0f;
            // Next row-major index: step the last dimension, carrying into earlier ones.
            for (int d = rank - 1; d >= 0; d--)
            {
                oa += sa[d];
                ob += sb[d];
                if (++index[d] < dims[d]) break;
                oa -= sa[d] * dims[d];
                ob -= sb[d] * dims[d];
                index[d] = 0;
            }
        }
    }

    /// <summary>No input gets a gradient (null: nothing flows back through a boolean).</summary>
    public static Tensor?[] NoGradient(int inputCount) => new Tensor?[inputCount];
}
