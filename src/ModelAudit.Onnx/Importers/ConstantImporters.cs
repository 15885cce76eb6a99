using ModelAudit.Onnx.Import;
using ModelAudit.Onnx.Protobuf;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Onnx.Importers;

/// <summary>
/// Operators that produce build-time values (Shape, Size, Constant, ConstantOfShape, Range, Cast,
/// comparisons, Where) and the pass-throughs Identity and Dropout (graph aliases). Comparisons and logical
/// operators fold when every input is known at build time and otherwise run (<see cref="Comparison"/>,
/// <see cref="Logical"/>: booleans as 0/1 floats, no gradient); Where with a runtime condition runs as <see cref="Select"/>.
/// </summary>
internal static class ConstantImporters
{
    public static IEnumerable<IOnnxOperatorImporter> Create()
    {
        yield return new DelegateImporter("Shape", ImportShape);
        yield return new DelegateImporter("Size", c => c.SetConstant(0, OnnxTensor.FromLongs([c.GetShape(0).ElementCount], [])));
        yield return new DelegateImporter("Constant", ImportConstant);
        yield return new DelegateImporter("ConstantOfShape", ImportConstantOfShape);
        yield return new DelegateImporter("Range", ImportRange, minOpset: 11);
        yield return new DelegateImporter("Cast", ImportCast);
        yield return new DelegateImporter("Identity", c => c.ForwardInput(0, 0));
        yield return new DelegateImporter("Dropout", ImportDropout);
        yield return Compare("Equal", ComparisonKind.Equal, (a, b) => a == b);
        yield return Compare("Less", ComparisonKind.Less, (a, b) => a < b);
        yield return Compare("Greater", ComparisonKind.Greater, (a, b) => a > b);
        yield return Compare("LessOrEqual", ComparisonKind.LessOrEqual, (a, b) => a <= b, minOpset: 12);
        yield return Compare("GreaterOrEqual", ComparisonKind.GreaterOrEqual, (a, b) => a >= b, minOpset: 12);
        yield return Combine("And", LogicalKind.And, (a, b) => a && b);
        yield return Combine("Or", LogicalKind.Or, (a, b) => a || b);
        yield return Combine("Xor", LogicalKind.Xor, (a, b) => a != b);
        yield return new DelegateImporter("Not", ImportNot);
        yield return new DelegateImporter("Where", ImportWhere, minOpset: 9);
    }

    private static void ImportShape(OnnxImportContext context)
    {
        var dims = context.GetShape(0).ToArray();
        int rank = dims.Length;
        // Opset 15 adds start/end (clamped like Slice).
        long start = context.GetInt("start", 0), end = context.GetInt("end", rank);
        if (start < 0) start += rank;
        if (end < 0) end += rank;
        start = Math.Clamp(start, 0, rank);
        end = Math.Clamp(end, start, rank);
        var result = dims[(int)start..(int)end].Select(d => (long)d).ToArray();
        context.SetConstant(0, OnnxTensor.FromLongs(result, [result.Length]));
    }

    private static void ImportConstant(OnnxImportContext context)
    {
        OnnxTensor value;
        if (context.GetTensorAttribute("value") is { } tensor) value = tensor;
        else if (context.HasAttribute("value_float")) value = OnnxTensor.FromFloats([context.GetFloat("value_float", 0)], []);
        else if (context.GetFloats("value_floats") is { } floats) value = OnnxTensor.FromFloats(floats, [floats.Length]);
        else if (context.HasAttribute("value_int")) value = OnnxTensor.FromLongs([context.GetInt("value_int", 0)], []);
        else if (context.GetInts("value_ints") is { } ints) value = OnnxTensor.FromLongs(ints, [ints.Length]);
        else throw context.Error("no supported value attribute (sparse and string constants are not supported)");
        context.SetConstant(0, value);
    }

    private static void ImportConstantOfShape(OnnxImportContext context)
    {
        var shape = context.GetConstantInts(0);
        if (shape.Any(v => v < 0)) throw context.Error($"shape [{string.Join(",", shape)}] has a negative dimension");
        if (shape.Length > ModelLimits.MaxRank) throw context.Error($"shape has rank {shape.Length}; at most {ModelLimits.MaxRank} is supported");
        var dims = context.ToInts(shape, "shape");
        int count = context.CheckedCount(dims, ModelLimits.MaxFoldedElements, "the folded result");
        var fill = context.GetTensorAttribute("value");
        if (fill is not null && fill.Length != 1) throw context.Error($"attribute 'value' must hold one element, has {fill.Length}");
        if (fill is null || fill.IsFloat)
        {
            var data = new float[count];
            Array.Fill(data, fill is null ? 0f : (float)fill.GetDouble(0));
            context.SetConstant(0, OnnxTensor.FromFloats(data, dims));
        }
        else
        {
            var data = new long[count];
            Array.Fill(data, fill.Longs![0]);
            context.SetConstant(0, OnnxTensor.FromLongs(data, dims, fill.DataType));
        }
    }

    private static void ImportRange(OnnxImportContext context)
    {
        var start = context.GetConstant(0);
        var limit = context.GetConstant(1);
        var delta = context.GetConstant(2);
        if (start.Length != 1 || limit.Length != 1 || delta.Length != 1) throw context.Error("start, limit and delta must be scalars");
        if (start.IsFloat != limit.IsFloat || start.IsFloat != delta.IsFloat) throw context.Error("start, limit and delta must have the same type");
        double s = start.GetDouble(0), l = limit.GetDouble(0), d = delta.GetDouble(0);
        if (d == 0 || double.IsNaN(d)) throw context.Error("delta is 0");
        double steps = Math.Ceiling((l - s) / d);
        if (double.IsNaN(steps) || steps > ModelLimits.MaxFoldedElements) throw context.Error($"the range from {s} to {l} by {d} would hold more than {ModelLimits.MaxFoldedElements} elements");
        int count = (int)Math.Max(steps, 0);
        if (start.IsFloat)
            context.SetConstant(0, OnnxTensor.FromFloats([.. Enumerable.Range(0, count).Select(i => (float)(s + i * d))], [count]));
        else
            context.SetConstant(0, OnnxTensor.FromLongs([.. Enumerable.Range(0, count).Select(i => start.Longs![0] + i * delta.Longs![0])], [count], start.DataType));
    }

    private static void ImportCast(OnnxImportContext context)
    {
        if (!context.HasAttribute("to")) throw context.Error("attribute 'to' is required");
        var to = (OnnxDataType)context.GetInt("to", 0, 0, int.MaxValue);
        if (!OnnxTensor.IsSupportedType(to)) throw context.Error($"cast to {to} is not supported");
        if (context.IsConstant(0))
        {
            context.SetConstant(0, ConstantFolding.Cast(context.GetConstant(0), to));
            return;
        }
        if (!OnnxTensor.IsFloatType(to))
            throw context.Error($"casting runtime value '{context.InputName(0)}' to {to} would need a runtime integer tensor, which is not supported");
        // The engine computes in float32, so a float-to-float cast is the identity.
        context.ForwardInput(0, 0);
    }

    private static void ImportDropout(OnnxImportContext context)
    {
        // Inference: the output is the input and the mask all true.
        if (context.HasOutput(1))
        {
            var shape = context.GetShape(0).ToArray();
            var mask = new long[context.CheckedCount(shape, ModelLimits.MaxFoldedElements, "the folded mask")];
            Array.Fill(mask, 1L);
            context.SetConstant(1, OnnxTensor.FromLongs(mask, shape, OnnxDataType.Bool));
        }
        context.ForwardInput(0, 0);
    }

    private static DelegateImporter Compare(string opType, ComparisonKind kind, Func<double, double, bool> compare, int minOpset = 1)
        => new(opType, context =>
        {
            if (!context.AllInputsConstant())
            {
                context.AddNode(new Comparison(kind), [context.GetRuntimeComparand(0), context.GetRuntimeComparand(1)]);
                return;
            }
            var a = context.GetConstant(0);
            var b = context.GetConstant(1);
            context.SetConstant(0, ConstantFolding.Elementwise([a, b],
                v => compare(v[0], v[1]) ? 1 : 0,
                v => compare(v[0], v[1]) ? 1 : 0,
                context, OnnxDataType.Bool));
        }, minOpset);

    private static DelegateImporter Combine(string opType, LogicalKind kind, Func<bool, bool, bool> combine)
        => new(opType, context =>
        {
            if (!context.AllInputsConstant())
            {
                context.AddNode(new Logical(kind), [context.GetRuntimeComparand(0), context.GetRuntimeComparand(1)]);
                return;
            }
            var a = context.GetConstant(0);
            var b = context.GetConstant(1);
            context.SetConstant(0, ConstantFolding.Elementwise([a, b],
                v => combine(v[0] != 0, v[1] != 0) ? 1 : 0,
                v => combine(v[0] != 0, v[1] != 0) ? 1 : 0,
                context, OnnxDataType.Bool));
        });

    private static void ImportNot(OnnxImportContext context)
    {
        if (!context.IsConstant(0))
        {
            // Booleans run as 0/1 floats, so not(x) is x == 0 (the ONNX input is boolean; any non-zero is true).
            int zero = context.AddConstantValue([0f], [], "zero");
            context.AddNode(new Comparison(ComparisonKind.Equal), [context.GetRuntimeComparand(0), zero]);
            return;
        }
        var a = context.GetConstant(0);
        context.SetConstant(0, ConstantFolding.Elementwise([a], v => v[0] == 0 ? 1 : 0, v => v[0] == 0 ? 1 : 0, context, OnnxDataType.Bool));
    }

    private static void ImportWhere(OnnxImportContext context)
    {
        if (!context.IsConstant(0))
        {
            // A runtime condition (a comparison of runtime values): select element by element.
            context.AddNode(new Select(), [context.GetRuntimeComparand(0), context.GetRuntimeInput(1), context.GetRuntimeInput(2)]);
            return;
        }
        if (!context.IsConstant(1) || !context.IsConstant(2))
        {
            ImportRuntimeWhere(context);
            return;
        }
        var condition = context.GetConstant(0);
        var x = context.GetConstant(1);
        var y = context.GetConstant(2);
        var result = ConstantFolding.Elementwise([condition, x, y], v => v[0] != 0 ? v[1] : v[2], v => v[0] != 0 ? v[1] : v[2], context);
        context.SetConstant(0, x.IsFloat || y.IsFloat ? result : ConstantFolding.Cast(result, x.DataType));
    }

    // A constant condition selecting between runtime values (attention masks): x·C + y·(1-C) where a
    // runtime branch is multiplied by its 0/1 mask and a constant branch is folded to where(C, k, 0), so
    // an infinite fill value never meets a 0 (0·inf). The gradient of each branch is dy times its mask.
    private static void ImportRuntimeWhere(OnnxImportContext context)
    {
        var condition = context.GetConstant(0);
        var dims = ConstantFolding.BroadcastShape(condition.Dims, context.GetShape(1).ToArray(), context.GetShape(2).ToArray())
            ?? throw context.Error($"condition {condition.Dims.Length}-D, x {context.GetShape(1)} and y {context.GetShape(2)} do not broadcast");
        context.CheckedCount(dims, ModelLimits.MaxTensorElements, "the result");
        int Term(int index, bool selectWhenTrue)
        {
            var mask = ConstantFolding.Elementwise([condition], v => (v[0] != 0) == selectWhenTrue ? 1 : 0, v => (v[0] != 0) == selectWhenTrue ? 1 : 0, context);
            string name = selectWhenTrue ? "x" : "y";
            if (context.IsConstant(index))
            {
                var folded = ConstantFolding.Elementwise([mask, context.GetConstant(index)], v => v[0] != 0 ? v[1] : 0, v => v[0] != 0 ? v[1] : 0, context);
                return context.AddConstantValue(folded.ToFloats(), folded.Dims, name + "_selected");
            }
            int maskValue = context.AddConstantValue(ConstantFolding.Cast(mask, OnnxDataType.Float).ToFloats(), mask.Dims, name + "_mask");
            return context.AddBinary(BinaryKind.Mul, context.GetRuntimeInput(index), maskValue, name + "_selected");
        }
        int x = Term(1, true), y = Term(2, false);
        int sum = context.AddBinary(BinaryKind.Add, x, y, "sum");
        // Broadcasting both branches can leave the sum smaller than the result when only the condition is large.
        context.SetAlias(0, context.ShapeOf(sum).ToArray().SequenceEqual(dims) ? sum : context.AddHelperNode(new Expand(dims), [sum], "expanded"));
    }
}
