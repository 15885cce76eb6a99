using ModelAudit.Onnx.Import;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Onnx.Importers;

/// <summary>Gemm and MatMul.</summary>
internal static class LinearImporters
{
    public static IEnumerable<IOnnxOperatorImporter> Create()
    {
        yield return new DelegateImporter("Gemm", ImportGemm);
        yield return new DelegateImporter("MatMul", c => c.AddNode(new MatMul(), [c.GetRuntimeInput(0), c.GetRuntimeInput(1)]));
    }

    private static void ImportGemm(OnnxImportContext context)
    {
        var operation = new Gemm(
            transA: context.GetFlag("transA", false),
            transB: context.GetFlag("transB", false),
            alpha: context.GetFloat("alpha", 1f),
            beta: context.GetFloat("beta", 1f));
        var inputs = new List<int> { context.GetRuntimeInput(0), context.GetRuntimeInput(1) };
        if (context.HasInput(2)) inputs.Add(context.GetRuntimeInput(2));
        context.AddNode(operation, inputs);
    }
}
