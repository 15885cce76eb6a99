using ModelAudit.Onnx.Import;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Onnx.Importers;

/// <summary>BatchNormalization (inference form), Softmax and LogSoftmax.</summary>
internal static class NormalizationImporters
{
    public static IEnumerable<IOnnxOperatorImporter> Create()
    {
        yield return new DelegateImporter("BatchNormalization", ImportBatchNormalization);
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
}
