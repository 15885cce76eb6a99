using ModelAudit.Tensors.Operations;

namespace ModelAudit.Tensors.Tests.TestSupport;

/// <summary>
/// Compares an operation's Backward with central finite differences of L = sum(dy * y) over a random
/// upstream gradient dy. Forward runs in float, L is accumulated in double.
/// </summary>
internal static class GradientChecker
{
    /// <summary>Central differences of <paramref name="loss"/> with respect to each element of <paramref name="data"/>.</summary>
    public static double[] FiniteDifferences(Span<float> data, Func<double> loss, double eps)
    {
        var result = new double[data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            float original = data[i];
            data[i] = (float)(original + eps);
            double plus = loss();
            data[i] = (float)(original - eps);
            double minus = loss();
            data[i] = original;
            // Divide by the step actually taken in float.
            double step = (double)(float)(original + eps) - (float)(original - eps);
            result[i] = (plus - minus) / step;
        }
        return result;
    }

    /// <summary>Runs the operation forward on fresh outputs.</summary>
    public static Tensor[] Run(Operation op, IReadOnlyList<Tensor> inputs)
    {
        var shapes = op.InferShapes(inputs.Select(t => t.Shape).ToArray());
        var outputs = shapes.Select(s => ComputeBackends.Cpu.Allocate(s, clear: false)).ToArray();
        op.Forward(inputs, outputs);
        return outputs;
    }

    /// <summary>
    /// Asserts that Backward matches finite differences for every input whose <paramref name="check"/> entry
    /// is true (all inputs when null), within <paramref name="relTol"/> relative error.
    /// </summary>
    public static void Check(Operation op, Tensor[] inputs, bool[]? check = null, double eps = 1e-2, double relTol = 1e-2, int seed = 11)
    {
        check ??= Enumerable.Repeat(true, inputs.Length).ToArray();
        var outputs = Run(op, inputs);
        var random = new Random(seed);
        var upstream = outputs.Select(o =>
        {
            var data = new float[o.Length];
            for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 2 - 1);
            return Tensor.FromArray(data, o.Shape.ToArray());
        }).ToArray();
        var analytic = op.Backward(inputs, outputs, upstream, check);

        double Loss()
        {
            var ys = Run(op, inputs);
            double sum = 0;
            for (int k = 0; k < ys.Length; k++)
            {
                var y = ys[k].Span;
                var g = upstream[k].Span;
                for (int i = 0; i < y.Length; i++) sum += (double)y[i] * g[i];
                ys[k].Dispose();
            }
            return sum;
        }

        for (int i = 0; i < inputs.Length; i++)
        {
            if (!check[i])
            {
                Assert.Null(analytic[i]);
                continue;
            }
            Assert.NotNull(analytic[i]);
            Assert.Equal(inputs[i].Shape, analytic[i]!.Shape);
            var numeric = FiniteDifferences(inputs[i].Span, Loss, eps);
            TensorAssert.AssertClose(numeric, analytic[i]!.ToArray(), relTol, $"{op.Kind} d/d(input {i})");
        }
    }
}
