namespace ModelAudit.Onnx.Import;

/// <summary>An importer given by a function, for operator families that share one import routine.</summary>
internal sealed class DelegateImporter(string opType, Action<OnnxImportContext> import, int minOpset = 1, int maxOpset = int.MaxValue) : IOnnxOperatorImporter
{
    public string OpType => opType;

    public int MinOpset => minOpset;

    public int MaxOpset => maxOpset;

    public void Import(OnnxImportContext context) => import(context);
}
