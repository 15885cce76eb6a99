using ModelAudit.Onnx.Importers;

namespace ModelAudit.Onnx.Import;

/// <summary>
/// The operator importers, looked up by op type and opset version. <see cref="Default"/> holds every
/// built-in family; each family lives in one file under Importers/ and lists its importers.
/// </summary>
internal sealed class OnnxOperatorRegistry
{
    private readonly Dictionary<string, List<IOnnxOperatorImporter>> _byOpType = new(StringComparer.Ordinal);

    /// <summary>The built-in importers.</summary>
    public static OnnxOperatorRegistry Default { get; } = CreateDefault();

    /// <summary>A registry with every built-in operator family.</summary>
    public static OnnxOperatorRegistry CreateDefault()
    {
        var registry = new OnnxOperatorRegistry();
        foreach (var importer in ElementwiseImporters.Create()) registry.Register(importer);
        foreach (var importer in ConvolutionImporters.Create()) registry.Register(importer);
        foreach (var importer in LinearImporters.Create()) registry.Register(importer);
        foreach (var importer in NormalizationImporters.Create()) registry.Register(importer);
        foreach (var importer in ShapeImporters.Create()) registry.Register(importer);
        foreach (var importer in ConstantImporters.Create()) registry.Register(importer);
        foreach (var importer in ReduceImporters.Create()) registry.Register(importer);
        foreach (var importer in RecurrentImporters.Create()) registry.Register(importer);
        foreach (var importer in ResizeImporters.Create()) registry.Register(importer);
        foreach (var importer in FoldedImporters.Create()) registry.Register(importer);
        return registry;
    }

    /// <summary>Adds an importer; a later registration for an overlapping opset range wins.</summary>
    public void Register(IOnnxOperatorImporter importer)
    {
        if (!_byOpType.TryGetValue(importer.OpType, out var list)) _byOpType[importer.OpType] = list = [];
        list.Insert(0, importer);
    }

    /// <summary>The importer for <paramref name="opType"/> at <paramref name="opset"/>, or null.</summary>
    public IOnnxOperatorImporter? Find(string opType, int opset)
        => _byOpType.TryGetValue(opType, out var list) ? list.FirstOrDefault(i => opset >= i.MinOpset && opset <= i.MaxOpset) : null;
}
