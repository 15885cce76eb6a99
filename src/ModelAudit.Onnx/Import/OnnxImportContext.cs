using ModelAudit.Onnx.Protobuf;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Operations;

using AttributeType = ModelAudit.Onnx.Protobuf.AttributeProto.Types.AttributeType;

namespace ModelAudit.Onnx.Import;

/// <summary>
/// What an importer sees of one node: its attributes, its inputs (constants known at build time or
/// runtime values with concrete shapes) and the means to define its outputs.
/// </summary>
internal sealed class OnnxImportContext
{
    private readonly OnnxGraphBuilder _builder;
    private readonly NodeProto _node;
    private readonly Dictionary<string, AttributeProto> _attributes = new(StringComparer.Ordinal);

    public OnnxImportContext(OnnxGraphBuilder builder, NodeProto node, string nodeName, int opset)
    {
        _builder = builder;
        _node = node;
        NodeName = nodeName;
        Opset = opset;
        foreach (var attribute in node.Attribute) _attributes[attribute.Name] = attribute;
    }

    /// <summary>The node name (or a generated <c>OpType_index</c> when the model has none).</summary>
    public string NodeName { get; }

    public string OpType => _node.OpType;

    /// <summary>The model's default-domain opset version.</summary>
    public int Opset { get; }

    /// <summary>The graph being built.</summary>
    public ComputeGraph Graph => _builder.Graph;

    public int InputCount => _node.Input.Count;

    public int OutputCount => _node.Output.Count;

    /// <summary>True when optional input <paramref name="index"/> is given (ONNX leaves omitted inputs empty).</summary>
    public bool HasInput(int index) => index < _node.Input.Count && _node.Input[index].Length > 0;

    /// <summary>True when output <paramref name="index"/> is wanted.</summary>
    public bool HasOutput(int index) => index < _node.Output.Count && _node.Output[index].Length > 0;

    public string InputName(int index) => _node.Input[index];

    public string OutputName(int index) => _node.Output[index];

    // ---- attributes ----

    // Every attribute read goes through Attribute(name, type): a value of another type than the operator
    // defines is an error naming the node, the attribute and both types, never silently ignored.

    public bool HasAttribute(string name) => _attributes.ContainsKey(name);

    /// <summary>An INT attribute in [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/> when absent.</summary>
    public long GetInt(string name, long fallback, long min = long.MinValue, long max = long.MaxValue)
    {
        if (Attribute(name, AttributeType.Int) is not { } a) return fallback;
        if (a.I < min || a.I > max) throw Error($"attribute '{name}' value {a.I} is out of range {Range(min, max)}");
        return a.I;
    }

    /// <summary>An INT attribute that must be 0 or 1.</summary>
    public bool GetFlag(string name, bool fallback) => GetInt(name, fallback ? 1 : 0, 0, 1) != 0;

    /// <summary>A FLOAT attribute, or <paramref name="fallback"/> when absent; NaN is refused unless <paramref name="allowNaN"/>.</summary>
    public float GetFloat(string name, float fallback, float min = float.NegativeInfinity, float max = float.PositiveInfinity, bool allowNaN = false)
    {
        if (Attribute(name, AttributeType.Float) is not { } a) return fallback;
        if (float.IsNaN(a.F) ? !allowNaN : a.F < min || a.F > max)
            throw Error($"attribute '{name}' value {a.F.ToString(System.Globalization.CultureInfo.InvariantCulture)} is out of range [{min.ToString(System.Globalization.CultureInfo.InvariantCulture)}, {max.ToString(System.Globalization.CultureInfo.InvariantCulture)}]");
        return a.F;
    }

    /// <summary>A STRING attribute (UTF-8), or <paramref name="fallback"/> when absent.</summary>
    public string GetString(string name, string fallback)
        => Attribute(name, AttributeType.String) is { } a ? a.S.ToStringUtf8() : fallback;

    /// <summary>An INTS attribute with every value in [<paramref name="min"/>, <paramref name="max"/>], or null when absent.</summary>
    public long[]? GetInts(string name, long min = long.MinValue, long max = long.MaxValue)
    {
        if (Attribute(name, AttributeType.Ints) is not { } a) return null;
        foreach (var v in a.Ints)
            if (v < min || v > max) throw Error($"attribute '{name}' value {v} is out of range {Range(min, max)}");
        return [.. a.Ints];
    }

    /// <summary>A FLOATS attribute, or null when absent.</summary>
    public float[]? GetFloats(string name) => Attribute(name, AttributeType.Floats) is { } a ? [.. a.Floats] : null;

    /// <summary>A TENSOR attribute decoded, or null when absent.</summary>
    public OnnxTensor? GetTensorAttribute(string name)
    {
        if (Attribute(name, AttributeType.Tensor) is not { } a) return null;
        if (a.T is null) throw Error($"attribute '{name}' is a TENSOR without a value");
        try
        {
            return _builder.Decode(a.T);
        }
        catch (OnnxModelException e)
        {
            throw Error($"attribute '{name}': {e.Message}");
        }
    }

    /// <summary>The attribute when present, checked to be of type <paramref name="expected"/>.</summary>
    private AttributeProto? Attribute(string name, AttributeType expected)
    {
        if (!_attributes.TryGetValue(name, out var a)) return null;
        var actual = a.Type != AttributeType.Undefined ? a.Type : InferType(a);
        if (actual != expected) throw Error($"attribute '{name}' must be {TypeName(expected)}, got {TypeName(actual)}");
        return a;
    }

    // Pre-IR-3 models may omit the type; it is then the one field that is set.
    private static AttributeType InferType(AttributeProto a)
        => a.Ints.Count > 0 ? AttributeType.Ints
            : a.Floats.Count > 0 ? AttributeType.Floats
            : a.Strings.Count > 0 ? AttributeType.Strings
            : a.T is not null ? AttributeType.Tensor
            : a.S.Length > 0 ? AttributeType.String
            : a.F != 0 ? AttributeType.Float
            : AttributeType.Int;

    private static string TypeName(AttributeType type) => Enum.IsDefined(type) ? type.ToString().ToUpperInvariant() : $"type {(int)type}";

    private static string Range(long min, long max)
        => "[" + (min == long.MinValue ? "-inf" : min.ToString(System.Globalization.CultureInfo.InvariantCulture)) + ", "
            + (max == long.MaxValue ? "inf" : max.ToString(System.Globalization.CultureInfo.InvariantCulture)) + "]";

    // ---- inputs ----

    /// <summary>True when input <paramref name="index"/> is known at build time.</summary>
    public bool IsConstant(int index) => Input(index).Constant is not null;

    /// <summary>True when every given input is known at build time.</summary>
    public bool AllInputsConstant()
    {
        for (int i = 0; i < InputCount; i++)
            if (HasInput(i) && !IsConstant(i)) return false;
        return true;
    }

    /// <summary>The build-time value of input <paramref name="index"/>; an error naming the node when it is only known at run time.</summary>
    public OnnxTensor GetConstant(int index)
        => Input(index).Constant ?? throw Error($"input {index} '{InputName(index)}' must be known when the graph is built (a runtime value here is not supported)");

    /// <summary>A constant input as int64 values.</summary>
    public long[] GetConstantInts(int index) => GetConstant(index).ToLongs();

    /// <summary>A constant one-element input as a float.</summary>
    public float GetConstantScalar(int index)
    {
        var c = GetConstant(index);
        if (c.Length != 1) throw Error($"input {index} '{InputName(index)}' must hold one value, has {c.Length}");
        return (float)c.GetDouble(0);
    }

    /// <summary>The concrete shape of input <paramref name="index"/>.</summary>
    public TensorShape GetShape(int index)
    {
        var v = Input(index);
        return v.Constant is not null ? new TensorShape(v.Constant.Dims) : Graph.Values[v.RuntimeId].Shape;
    }

    public int GetRank(int index) => GetShape(index).Rank;

    /// <summary>The graph value id of input <paramref name="index"/>, adding a constant (or parameter, for float initializers) when it was only known at build time.</summary>
    /// <exception cref="OnnxModelException">The input holds integer ids at run time (only Gather may read those, through <see cref="GetRuntimeIndices"/>).</exception>
    public int GetRuntimeInput(int index)
    {
        int id = _builder.Materialize(InputName(index), Input(index));
        if (_builder.IsInteger(id))
            throw Error($"input {index} '{InputName(index)}' holds integer ids at run time; only Gather (an embedding lookup) can read them");
        return id;
    }

    /// <summary>
    /// The graph value id of input <paramref name="index"/> for an operation that only compares values (comparisons,
    /// logical operators): unlike <see cref="GetRuntimeInput"/>, integer ids are allowed (whole numbers in float32,
    /// exact below 2^24, so <c>ids == pad</c> masks hold) since no arithmetic is done on them.
    /// </summary>
    public int GetRuntimeComparand(int index) => _builder.Materialize(InputName(index), Input(index));

    /// <summary>True when input <paramref name="index"/> is integer ids known only at run time (token ids).</summary>
    public bool IsRuntimeIndices(int index) => !IsConstant(index) && _builder.IsInteger(Input(index).RuntimeId);

    /// <summary>The graph value id of runtime integer ids (token ids) used as Gather indices.</summary>
    public int GetRuntimeIndices(int index) => Input(index).RuntimeId;

    // ---- outputs ----

    /// <summary>
    /// Adds <paramref name="operation"/> on <paramref name="inputs"/> and binds its outputs to the node's
    /// first outputs; any further wanted output of the node is an error.
    /// </summary>
    public int[] AddNode(Operation operation, IReadOnlyList<int> inputs)
    {
        for (int i = operation.OutputCount; i < OutputCount; i++)
            if (HasOutput(i)) throw Error($"output {i} '{OutputName(i)}' is not supported");
        var names = new string[operation.OutputCount];
        for (int i = 0; i < names.Length; i++)
        {
            if (!HasOutput(i)) throw Error($"output {i} is missing");
            names[i] = OutputName(i);
        }
        int[] ids;
        try
        {
            ids = Graph.AddNode(NodeName, operation, inputs, names);
        }
        catch (ShapeMismatchException e)
        {
            throw _builder.Fail(e.Message, e);
        }
        for (int i = 0; i < ids.Length; i++) _builder.Bind(names[i], OnnxValue.FromRuntime(ids[i]));
        return ids;
    }

    /// <summary>Adds a helper node whose single output is not an ONNX tensor (named after the node's first output and <paramref name="suffix"/>).</summary>
    public int AddHelperNode(Operation operation, IReadOnlyList<int> inputs, string suffix)
    {
        try
        {
            return Graph.AddNode(NodeName, operation, inputs, [$"{OutputName(0)}::{suffix}"])[0];
        }
        catch (ShapeMismatchException e)
        {
            throw _builder.Fail(e.Message, e);
        }
    }

    /// <summary>Makes output <paramref name="outputIndex"/> another name for runtime value <paramref name="valueId"/>.</summary>
    public void SetAlias(int outputIndex, int valueId)
    {
        Graph.AddAlias(OutputName(outputIndex), valueId);
        _builder.Bind(OutputName(outputIndex), OnnxValue.FromRuntime(valueId));
    }

    /// <summary>Makes output <paramref name="outputIndex"/> refer to whatever input <paramref name="inputIndex"/> is (constant or runtime).</summary>
    public void ForwardInput(int outputIndex, int inputIndex)
    {
        var input = Input(inputIndex);
        if (input.Constant is not null) SetConstant(outputIndex, input.Constant);
        else SetAlias(outputIndex, input.RuntimeId);
    }

    /// <summary>Defines output <paramref name="outputIndex"/> as a build-time constant.</summary>
    public void SetConstant(int outputIndex, OnnxTensor value) => _builder.Bind(OutputName(outputIndex), OnnxValue.FromConstant(value));

    /// <summary>An error naming the model file and this node.</summary>
    public OnnxModelException Error(string message) => _builder.Fail(message);

    private OnnxValue Input(int index)
    {
        if (!HasInput(index)) throw Error($"input {index} is missing");
        return _builder.Lookup(InputName(index));
    }
}
