using ModelAudit.Tensors.Kernels.Layout;

namespace ModelAudit.Tensors.Operations;

/// <summary>ONNX Gemm: Y = alpha * op(A) op(B) + beta * C, with C unidirectionally broadcast to [M, N].</summary>
public sealed class Gemm : Operation
{
    /// <summary>Creates the operation.</summary>
    public Gemm(bool transA, bool transB, float alpha, float beta)
    {
        TransA = transA;
        TransB = transB;
        Alpha = alpha;
        Beta = beta;
    }

    /// <summary>Whether A is transposed.</summary>
    public bool TransA { get; }

    /// <summary>Whether B is transposed.</summary>
    public bool TransB { get; }

    /// <summary>Scale of the product.</summary>
    public float Alpha { get; }

    /// <summary>Scale of C.</summary>
    public float Beta { get; }

    /// <inheritdoc/>
    public override string Kind => "Gemm";

    /// <inheritdoc/>
    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        OperationChecks.InputCount(Kind, inputs, 2, 3);
        OperationChecks.Rank(Kind, "A", inputs[0], 2);
        OperationChecks.Rank(Kind, "B", inputs[1], 2);
        var (m, k, n) = Sizes(inputs[0], inputs[1]);
        int kb = TransB ? inputs[1][1] : inputs[1][0];
        if (k != kb)
            throw new ShapeMismatchException($"Gemm inner dimensions differ: A {inputs[0]} (transA={TransA}) and B {inputs[1]} (transB={TransB}).");
        var y = new TensorShape(m, n);
        if (inputs.Count == 3)
        {
            try
            {
                Broadcasting.Strides(inputs[2], y);
            }
            catch (ShapeMismatchException)
            {
                throw new ShapeMismatchException($"Gemm input C {inputs[2]} cannot be broadcast to the output [{m},{n}].");
            }
        }
        return [y];
    }

    private (int M, int K, int N) Sizes(TensorShape a, TensorShape b)
        => (TransA ? a[1] : a[0], TransA ? a[0] : a[1], TransB ? b[0] : b[1]);

    /// <inheritdoc/>
    public override void Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
    {
        var a = inputs[0];
        var b = inputs[1];
        var y = outputs[0];
        var backend = a.Backend;
        var (m, k, n) = Sizes(a.Shape, b.Shape);
        float beta = 0f;
        if (inputs.Count == 3 && Beta != 0f)
        {
            backend.BroadcastTo(inputs[2], y);
            beta = Beta;
        }
        backend.Gemm(TransA, TransB, m, n, k, Alpha, a, 0, a.Shape[1], b, 0, b.Shape[1], beta, y, 0, n);
    }

    /// <inheritdoc/>
    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?> outputGradients, IReadOnlyList<bool> needInputGradient)
    {
        var result = new Tensor?[inputs.Count];
        var dy = outputGradients[0];
        if (dy is null) return result;
        var a = inputs[0];
        var b = inputs[1];
        var backend = OperationChecks.Backend(inputs);
        var (m, k, n) = Sizes(a.Shape, b.Shape);
        int lda = a.Shape[1], ldb = b.Shape[1];
        if (needInputGradient[0])
        {
            // dop(A) = alpha dY op(B)^T, transposed back when A is stored transposed.
            var da = backend.Allocate(a.Shape, clear: false);
            if (!TransA) backend.Gemm(false, !TransB, m, k, n, Alpha, dy, 0, n, b, 0, ldb, 0f, da, 0, lda);
            else backend.Gemm(TransB, true, k, m, n, Alpha, b, 0, ldb, dy, 0, n, 0f, da, 0, lda);
            result[0] = da;
        }
        if (needInputGradient[1])
        {
            // dop(B) = alpha op(A)^T dY, transposed back when B is stored transposed.
            var db = backend.Allocate(b.Shape, clear: false);
            if (!TransB) backend.Gemm(!TransA, false, k, n, m, Alpha, a, 0, lda, dy, 0, n, 0f, db, 0, ldb);
            else backend.Gemm(true, TransA, n, k, m, Alpha, dy, 0, n, a, 0, lda, 0f, db, 0, ldb);
            result[1] = db;
        }
        if (inputs.Count == 3 && needInputGradient[2])
        {
            var dc = backend.Allocate(inputs[2].Shape, clear: false);
            backend.SumToShape(dy, dc);
            if (Beta != 1f)
            {
                var scaled = backend.Allocate(inputs[2].Shape, clear: true);
                backend.Axpy(Beta, dc, scaled);
                dc.Dispose();
                dc = scaled;
            }
            result[2] = dc;
        }
        return result;
    }

    /// <inheritdoc/>
    public override bool BackwardReadsInput(int inputIndex) => inputIndex < 2;
}
