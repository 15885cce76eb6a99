using ModelAudit.Onnx.Import;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Onnx.Importers;

/// <summary>Arithmetic, activations and Clip. Constant inputs are folded (exact int64 shape arithmetic).</summary>
internal static class ElementwiseImporters
{
    public static IEnumerable<IOnnxOperatorImporter> Create()
    {
        yield return Binary("Add", BinaryKind.Add, a => a[0] + a[1], a => a[0] + a[1]);
        yield return Binary("Sub", BinaryKind.Sub, a => a[0] - a[1], a => a[0] - a[1]);
        yield return Binary("Mul", BinaryKind.Mul, a => a[0] * a[1], a => a[0] * a[1]);
        yield return Binary("Div", BinaryKind.Div, a => a[1] == 0 ? 0 : a[0] / a[1], a => a[0] / a[1]);
        yield return Binary("Pow", BinaryKind.Pow, a => (long)Math.Pow(a[0], a[1]), a => Math.Pow(a[0], a[1]));
        yield return Binary("Max", BinaryKind.Max, a => a.Max(), a => a.Max());
        yield return Binary("Min", BinaryKind.Min, a => a.Min(), a => a.Min());
        yield return Binary("Sum", BinaryKind.Add, a => a.Sum(), a => a.Sum());

        yield return Unary("Relu", UnaryKind.Relu, x => Math.Max(x, 0));
        yield return Unary("Sigmoid", UnaryKind.Sigmoid, null);
        yield return Unary("Tanh", UnaryKind.Tanh, null);
        yield return Unary("Exp", UnaryKind.Exp, Math.Exp);
        yield return Unary("Log", UnaryKind.Log, Math.Log);
        yield return Unary("Neg", UnaryKind.Neg, x => -x);
        yield return Unary("Sqrt", UnaryKind.Sqrt, Math.Sqrt);
        yield return Unary("Abs", UnaryKind.Abs, Math.Abs);
        yield return Unary("Reciprocal", UnaryKind.Reciprocal, x => 1 / x);
        yield return Unary("Erf", UnaryKind.Erf, null);
        yield return new DelegateImporter("Gelu", ImportGelu, minOpset: 20);
        yield return Unary("Softplus", UnaryKind.Softplus, null);
        yield return Unary("Elu", UnaryKind.Elu, null, c => (c.GetFloat("alpha", 1f), 0f));
        yield return Unary("LeakyRelu", UnaryKind.LeakyRelu, null, c => (c.GetFloat("alpha", 0.01f), 0f));
        yield return Unary("HardSigmoid", UnaryKind.HardSigmoid, null, c => (c.GetFloat("alpha", 0.2f), c.GetFloat("beta", 0.5f)));
        yield return Unary("HardSwish", UnaryKind.HardSwish, null, minOpset: 14);
        yield return FoldOnly("Floor", Math.Floor);
        yield return FoldOnly("Ceil", Math.Ceiling);
        yield return new DelegateImporter("Clip", ImportClip);
    }

    private static DelegateImporter Binary(string opType, BinaryKind kind, Func<long[], long> integer, Func<double[], double> floating)
        => new(opType, context =>
        {
            if (context.InputCount == 0 || Enumerable.Range(0, context.InputCount).Any(i => !context.HasInput(i)))
                throw context.Error("an input is missing");
            if (context.AllInputsConstant())
            {
                var inputs = Enumerable.Range(0, context.InputCount).Select(context.GetConstant).ToArray();
                context.SetConstant(0, ConstantFolding.Elementwise(inputs, integer, floating, context));
                return;
            }
            if (context.InputCount < 2) throw context.Error($"{context.InputCount} inputs; at least 2 expected");
            // Variadic Max/Min/Sum chain pairwise; the last pair produces the node's output.
            int accumulated = context.GetRuntimeInput(0);
            for (int i = 1; i < context.InputCount - 1; i++)
                accumulated = context.AddHelperNode(new Binary(kind), [accumulated, context.GetRuntimeInput(i)], $"partial{i}");
            context.AddNode(new Binary(kind), [accumulated, context.GetRuntimeInput(context.InputCount - 1)]);
        });

    private static DelegateImporter Unary(string opType, UnaryKind kind, Func<double, double>? fold, Func<OnnxImportContext, (float Alpha, float Beta)>? attributes = null, int minOpset = 1)
        => new(opType, context =>
        {
            if (fold is not null && context.IsConstant(0))
            {
                var input = context.GetConstant(0);
                context.SetConstant(0, ConstantFolding.Elementwise([input], a => (long)fold(a[0]), a => fold(a[0]), context));
                return;
            }
            var (alpha, beta) = attributes?.Invoke(context) ?? (0f, 0f);
            context.AddNode(new Unary(kind, alpha, beta), [context.GetRuntimeInput(0)]);
        }, minOpset);

    private static DelegateImporter FoldOnly(string opType, Func<double, double> fold)
        => new(opType, context =>
        {
            if (!context.IsConstant(0)) throw context.Error($"{opType} is only supported on values known when the graph is built");
            var input = context.GetConstant(0);
            context.SetConstant(0, input.IsFloat ? ConstantFolding.Elementwise([input], null, a => fold(a[0]), context) : input);
        });

    private static void ImportClip(OnnxImportContext context)
    {
        float min, max;
        if (context.Opset < 11)
        {
            min = context.GetFloat("min", float.NegativeInfinity);
            max = context.GetFloat("max", float.PositiveInfinity);
            if (min > max) throw context.Error($"min {min} is greater than max {max}");
        }
        else
        {
            min = context.HasInput(1) ? context.GetConstantScalar(1) : float.NegativeInfinity;
            max = context.HasInput(2) ? context.GetConstantScalar(2) : float.PositiveInfinity;
        }
        if (context.IsConstant(0))
        {
            var input = context.GetConstant(0);
            // Min(Max()) as ONNX defines it: Math.Clamp throws when min > max.
            context.SetConstant(0, ConstantFolding.Elementwise([input], a => (long)Math.Min(Math.Max(a[0], min), max), a => Math.Min(Math.Max(a[0], min), max), context));
            return;
        }
        context.AddNode(new Clip(min, max), [context.GetRuntimeInput(0)]);
    }

    // Gelu (opset 20): the exact erf form is an engine kind; the tanh approximation is composed from
    // engine operations as ONNX defines it: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    private static void ImportGelu(OnnxImportContext context)
    {
        string approximate = context.GetString("approximate", "none");
        if (approximate == "none")
        {
            context.AddNode(new Unary(UnaryKind.Gelu), [context.GetRuntimeInput(0)]);
            return;
        }
        if (approximate != "tanh") throw context.Error($"approximate '{approximate}' is not supported (expected none or tanh)");
        int x = context.GetRuntimeInput(0);
        int square = context.AddBinary(BinaryKind.Mul, x, x, "square");
        int cube = context.AddBinary(BinaryKind.Mul, square, x, "cube");
        int cubic = context.AddBinary(BinaryKind.Mul, cube, context.AddScalarValue(0.044715f, "coefficient"), "cubic");
        int inner = context.AddBinary(BinaryKind.Add, x, cubic, "inner");
        int scaled = context.AddBinary(BinaryKind.Mul, inner, context.AddScalarValue((float)Math.Sqrt(2 / Math.PI), "sqrt_2_over_pi"), "scaled");
        int tanh = context.AddUnary(UnaryKind.Tanh, scaled, "tanh");
        int onePlus = context.AddBinary(BinaryKind.Add, tanh, context.AddScalarValue(1f, "one"), "one_plus");
        int half = context.AddBinary(BinaryKind.Mul, x, context.AddScalarValue(0.5f, "half"), "half_x");
        context.AddNode(new Binary(BinaryKind.Mul), [half, onePlus]);
    }
}
