using ModelAudit.Onnx.Import;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Onnx.Importers;

/// <summary>
/// BatchNormalization (inference form), LayerNormalization, InstanceNormalization (also GroupNorm as
/// torch exports it: Reshape, InstanceNormalization, Reshape, Mul, Add), Softmax and LogSoftmax.
/// </summary>
internal static class NormalizationImporters
{
    public static IEnumerable<IOnnxOperatorImporter> Create()
    {
        yield return new DelegateImporter("BatchNormalization", ImportBatchNormalization);
        yield return new DelegateImporter("LayerNormalization", ImportLayerNormalization, minOpset: 17);
        yield return new DelegateImporter("InstanceNormalization", ImportInstanceNormalization);
        yield return new DelegateImporter("Softmax", c => ImportSoftmax(c, (axis, coerce) => new Softmax(axis, coerce)));
        yield return new DelegateImporter("LogSoftmax", c => ImportSoftmax(c, (axis, coerce) => new LogSoftmax(axis, coerce)));
    }

    private static void ImportBatchNormalization(OnnxImportContext context)
    {
        // Opset < 9 'spatial' and the training-mode outputs (running statistics) do not apply to inference.
        if (context.GetFlag("training_mode", false)) throw context.Error("training_mode=1 is not supported");
        for (int i = 1; i < context.OutputCount; i++)
            if (context.HasOutput(i)) throw context.Error($"training output {i} '{context.OutputName(i)}' is not supported");
        // Opset 9-14 still define 'momentum' (training only); read it so a wrongly typed one is reported.
        context.GetFloat("momentum", 0.9f, allowNaN: true);
        var inputs = Enumerable.Range(0, 5).Select(context.GetRuntimeInput).ToArray();
        var operation = new BatchNormalization(context.GetFloat("epsilon", 1e-5f, 0f, float.MaxValue));
        context.AddNode(operation, inputs);
    }

    private static void ImportSoftmax(OnnxImportContext context, Func<int, bool, Operation> create)
    {
        int rank = context.GetRank(0);
        // Before opset 13 the input is coerced to 2-D at 'axis' (default 1); from 13 the axis is a plain axis (default -1).
        bool coerce = context.Opset < 13;
        int axis = context.Axis(context.GetInt("axis", coerce ? 1 : -1), rank);
        context.AddNode(create(axis, coerce), [context.GetRuntimeInput(0)]);
    }

    // LayerNormalization normalises over the axes from 'axis' to the last; the statistics are computed
    // as PyTorch's layer_norm does (biased variance, two passes), as engine operations so the gradient
    // comes from their VJPs.
    private static void ImportLayerNormalization(OnnxImportContext context)
    {
        for (int i = 1; i < context.OutputCount; i++)
            if (context.HasOutput(i)) throw context.Error($"output {i} '{context.OutputName(i)}' (training statistics) is not supported");
        int rank = context.GetRank(0);
        int axis = context.Axis(context.GetInt("axis", -1), rank);
        float epsilon = context.GetFloat("epsilon", 1e-5f, 0f, float.MaxValue);
        var x = context.GetShape(0);
        var normalizedShape = x.ToArray()[axis..];
        CheckAffine(context, 1, normalizedShape);
        if (context.HasInput(2)) CheckAffine(context, 2, normalizedShape);
        int normalized = Normalize(context, context.GetRuntimeInput(0), [.. Enumerable.Range(axis, rank - axis)], epsilon);
        int scale = context.GetRuntimeInput(1);
        if (!context.HasInput(2))
        {
            context.AddNode(new Binary(BinaryKind.Mul), [normalized, scale]);
            return;
        }
        int scaled = context.AddBinary(BinaryKind.Mul, normalized, scale, "scaled");
        context.AddNode(new Binary(BinaryKind.Add), [scaled, context.GetRuntimeInput(2)]);
    }

    private static void CheckAffine(OnnxImportContext context, int index, int[] normalizedShape)
    {
        var shape = context.GetShape(index).ToArray();
        // ONNX allows any shape broadcastable to the normalised dimensions; exporters give them exactly.
        if (shape.Length > normalizedShape.Length || shape.Where((d, i) => d != 1 && d != normalizedShape[normalizedShape.Length - shape.Length + i]).Any())
            throw context.Error($"input {index} '{context.InputName(index)}' of shape [{string.Join(",", shape)}] does not broadcast to the normalised dimensions [{string.Join(",", normalizedShape)}]");
    }

    // InstanceNormalization: per sample and channel over the spatial axes, then scale and bias per channel.
    private static void ImportInstanceNormalization(OnnxImportContext context)
    {
        var x = context.GetShape(0);
        if (x.Rank < 3) throw context.Error($"input X must be [N,C,D1,...] but has shape {x}");
        int channels = x[1];
        for (int i = 1; i < 3; i++)
        {
            var p = context.GetShape(i);
            if (p.Rank != 1 || p[0] != channels) throw context.Error($"input {i} '{context.InputName(i)}' of shape {p} must be [{channels}]");
        }
        float epsilon = context.GetFloat("epsilon", 1e-5f, 0f, float.MaxValue);
        int normalized = Normalize(context, context.GetRuntimeInput(0), [.. Enumerable.Range(2, x.Rank - 2)], epsilon);
        int[] perChannel = [channels, .. Enumerable.Repeat(1, x.Rank - 2)];
        int scale = context.AddReshape(context.GetRuntimeInput(1), perChannel, "scale");
        int bias = context.AddReshape(context.GetRuntimeInput(2), perChannel, "bias");
        int scaled = context.AddBinary(BinaryKind.Mul, normalized, scale, "scaled");
        context.AddNode(new Binary(BinaryKind.Add), [scaled, bias]);
    }

    /// <summary>(x - mean) / sqrt(var + epsilon) over <paramref name="axes"/>, with the biased variance.</summary>
    private static int Normalize(OnnxImportContext context, int x, int[] axes, float epsilon)
    {
        int mean = context.AddHelperNode(new Reduce(ReduceKind.Mean, axes, keepDims: true), [x], "mean");
        int centered = context.AddBinary(BinaryKind.Sub, x, mean, "centered");
        int squared = context.AddBinary(BinaryKind.Mul, centered, centered, "squared");
        int variance = context.AddHelperNode(new Reduce(ReduceKind.Mean, axes, keepDims: true), [squared], "variance");
        int shifted = context.AddBinary(BinaryKind.Add, variance, context.AddScalarValue(epsilon, "epsilon"), "variance_eps");
        int std = context.AddUnary(UnaryKind.Sqrt, shifted, "std");
        return context.AddBinary(BinaryKind.Div, centered, std, "normalized");
    }
}
