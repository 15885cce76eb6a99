using ModelAudit.Onnx.Import;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Onnx.Importers;

/// <summary>
/// Gemm, MatMul and Einsum. Einsum (one or two operands, explicit letters, no repeated letter within an
/// operand) becomes Reduce/Transpose/Reshape around one batched MatMul, so its gradient is theirs.
/// </summary>
internal static class LinearImporters
{
    public static IEnumerable<IOnnxOperatorImporter> Create()
    {
        yield return new DelegateImporter("Gemm", ImportGemm);
        yield return new DelegateImporter("MatMul", c => c.AddNode(new MatMul(), [c.GetRuntimeInput(0), c.GetRuntimeInput(1)]));
        yield return new DelegateImporter("Einsum", ImportEinsum, minOpset: 12);
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

    private static void ImportEinsum(OnnxImportContext context)
    {
        string equation = context.GetString("equation", "").Replace(" ", "", StringComparison.Ordinal);
        if (equation.Contains("...", StringComparison.Ordinal)) throw context.Error($"equation '{equation}': ellipsis is not supported");
        int arrow = equation.IndexOf("->", StringComparison.Ordinal);
        var operands = (arrow < 0 ? equation : equation[..arrow]).Split(',');
        if (operands.Length != context.InputCount || operands.Length is < 1 or > 2)
            throw context.Error($"equation '{equation}' has {operands.Length} operands for {context.InputCount} inputs; one or two are supported");
        foreach (var o in operands)
            if (o.Length == 0 || !o.All(char.IsAsciiLetter) || o.Distinct().Count() != o.Length)
                throw context.Error($"equation '{equation}': operand '{o}' must be distinct letters (repeated letters and traces are not supported)");
        // Implicit output: the letters that occur once, in alphabetical order.
        string output = arrow >= 0 ? equation[(arrow + 2)..]
            : new string([.. string.Concat(operands).GroupBy(c => c).Where(g => g.Count() == 1).Select(g => g.Key).Order()]);
        if (!output.All(c => operands.Any(o => o.Contains(c))) || output.Distinct().Count() != output.Length)
            throw context.Error($"equation '{equation}': output '{output}' must be distinct letters of the operands");
        var sizes = new Dictionary<char, int>();
        for (int k = 0; k < operands.Length; k++)
        {
            var shape = context.GetShape(k);
            if (shape.Rank != operands[k].Length) throw context.Error($"operand '{operands[k]}' has {operands[k].Length} letters for input {k} of shape {shape}");
            for (int i = 0; i < shape.Rank; i++)
            {
                char c = operands[k][i];
                if (sizes.TryGetValue(c, out var size) && size != shape[i])
                    throw context.Error($"letter '{c}' has sizes {size} and {shape[i]} (broadcasting is not supported)");
                sizes[c] = shape[i];
            }
        }
        var letters = new List<string>();
        var values = new List<int>();
        for (int k = 0; k < operands.Length; k++)
        {
            // Letters in no other operand and not in the output are summed out first.
            string other = operands.Length == 2 ? operands[1 - k] : "";
            var summed = operands[k].Where(c => !other.Contains(c) && !output.Contains(c)).ToArray();
            int value = context.GetRuntimeInput(k);
            string kept = operands[k];
            if (summed.Length > 0)
            {
                value = context.AddHelperNode(new Reduce(ReduceKind.Sum, [.. summed.Select(c => kept.IndexOf(c))], keepDims: false), [value], $"sum{k}");
                kept = new string([.. kept.Where(c => !summed.Contains(c))]);
            }
            letters.Add(kept);
            values.Add(value);
        }
        if (operands.Length == 1)
        {
            context.SetAlias(0, Permute(context, values[0], letters[0], output, "out"));
            return;
        }
        string a = letters[0], b = letters[1];
        string batch = new([.. a.Where(c => b.Contains(c) && output.Contains(c))]);
        string contracted = new([.. a.Where(c => b.Contains(c) && !output.Contains(c))]);
        string aFree = new([.. a.Where(c => !b.Contains(c))]);
        string bFree = new([.. b.Where(c => !a.Contains(c))]);
        int Product(string s) => s.Aggregate(1, (p, c) => checked(p * sizes[c]));
        int left = context.AddReshape(Permute(context, values[0], a, batch + aFree + contracted, "a"), [Product(batch), Product(aFree), Product(contracted)], "a3");
        int right = context.AddReshape(Permute(context, values[1], b, batch + contracted + bFree, "b"), [Product(batch), Product(contracted), Product(bFree)], "b3");
        int product = context.AddHelperNode(new MatMul(), [left, right], "product");
        string produced = batch + aFree + bFree;
        int shaped = context.AddReshape(product, produced.Length == 0 ? [] : [.. produced.Select(c => sizes[c])], "product_shaped");
        context.SetAlias(0, Permute(context, shaped, produced, output, "out"));
    }

    // value (laid out as 'from') transposed to the letter order 'to' (no node when already in order).
    private static int Permute(OnnxImportContext context, int value, string from, string to, string suffix)
        => from == to ? value : context.AddHelperNode(new Transpose([.. to.Select(c => from.IndexOf(c))]), [value], suffix + "_t");
}
