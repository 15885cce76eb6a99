using System.Diagnostics;
using Google.Protobuf;
using ModelAudit.Onnx.Protobuf;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Onnx.Tests;

/// <summary>Regression tests for hostile models and files (issue 11): each builds the bad file in a temp folder.</summary>
public sealed class HostileModelTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("onnx-hostile").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // ---- building models ----

    internal static ValueInfoProto Info(string name, params long[] dims)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)OnnxDataType.Float };
        if (dims.Length > 0)
        {
            tensorType.Shape = new TensorShapeProto();
            tensorType.Shape.Dim.AddRange(dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        }
        return new() { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    internal static NodeProto Node(string op, string name, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    internal static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    internal static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    internal static AttributeProto Str(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    internal static TensorProto Floats(string name, int[] dims)
    {
        var t = new TensorProto { Name = name, ElementType = OnnxDataType.Float };
        t.Dims.AddRange(dims.Select(d => (long)d));
        t.FloatData.AddRange(Enumerable.Range(0, dims.Aggregate(1, (a, d) => a * d)).Select(i => i * 0.01f));
        return t;
    }

    internal static TensorProto Longs(string name, params long[] values)
    {
        var t = new TensorProto { Name = name, ElementType = OnnxDataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        return t;
    }

    /// <summary>A one-input model: x of <paramref name="input"/> dims, the nodes, output y.</summary>
    internal static ModelProto Model(int opset, long[] input, NodeProto[] nodes, params TensorProto[] initializers)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        model.Graph = new GraphProto { Name = "g" };
        model.Graph.Input.Add(Info("x", input));
        model.Graph.Output.Add(Info("y"));
        model.Graph.Node.AddRange(nodes);
        model.Graph.Initializer.AddRange(initializers);
        return model;
    }

    private string Save(ModelProto model, string name = "m.onnx")
    {
        var path = Path.Combine(_dir, name);
        OnnxWriter.Write(model, path);
        return path;
    }

    /// <summary>Loads and builds for batch 1; returns the one-line error.</summary>
    private static string LoadAndBuildError(string path)
    {
        var e = Assert.Throws<OnnxModelException>(() =>
        {
            var model = OnnxModel.Load(path);
            model.BuildGraph(1);
        });
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith(path + ": ", e.Message);
        return e.Message;
    }

    private static ModelProto Conv(params AttributeProto[] attributes)
        => Model(13, [1, 2, 8, 8], [Node("Conv", "conv", ["x", "w"], ["y"], attributes)], Floats("w", [3, 2, 3, 3]));

    private static ModelProto Pool(string op, params AttributeProto[] attributes)
        => Model(13, [1, 2, 8, 8], [Node(op, "pool", ["x"], ["y"], attributes)]);

    // ---- item 7: attributes by type and range ----

    public static TheoryData<string, string> InvalidAttributeCases() => new()
    {
        { "conv_stride0", "node 'conv' (Conv): attribute 'strides' value 0 is out of range [1, 2147483647]" },
        { "conv_negative_pads", "node 'conv' (Conv): attribute 'pads' value -1 is out of range [0, 2147483647]" },
        { "conv_dilation0", "node 'conv' (Conv): attribute 'dilations' value 0 is out of range [1, 2147483647]" },
        { "conv_kernel_string", "node 'conv' (Conv): attribute 'kernel_shape' must be INTS, got STRING" },
        { "conv_kernel_mismatch", "node 'conv' (Conv): kernel_shape [5,5] does not match the weight shape [3,2,3,3]" },
        { "conv_group0", "node 'conv' (Conv): attribute 'group' value 0 is out of range [1, 2147483647]" },
        { "conv_group_mismatch", "node 'conv' (Conv): group 2 does not fit" },
        { "conv_auto_pad_bad", "node 'conv' (Conv): unknown auto_pad 'SIDEWAYS'" },
        { "conv_kernel_too_big", "node 'conv' (Conv): the height window of 17 (kernel 3, dilation 8) is larger than the padded input 8" },
        { "maxpool_kernel0", "node 'pool' (MaxPool): attribute 'kernel_shape' value 0 is out of range [1, 2147483647]" },
        { "maxpool_pad_ge_kernel", "node 'pool' (MaxPool): pad 2 is not smaller than kernel size 2" },
        { "avgpool_ceil_mode_7", "node 'pool' (AveragePool): attribute 'ceil_mode' value 7 is out of range [0, 1]" },
        { "avgpool_kernel_int", "node 'pool' (AveragePool): attribute 'kernel_shape' must be INTS, got INT" },
        { "transpose_perm_out_of_range", "node 't' (Transpose): attribute 'perm' value 5 is out of range [0, 3]" },
        { "transpose_perm_repeated", "node 't' (Transpose): perm [0,0,1,2] is not a permutation of rank 4" },
        { "softmax_axis_out_of_range", "node 's' (Softmax): axis 9 is out of range for rank 4" },
        { "gemm_transA_2", "node 'g' (Gemm): attribute 'transA' value 2 is out of range [0, 1]" },
        { "gemm_alpha_int", "node 'g' (Gemm): attribute 'alpha' must be FLOAT, got INT" },
        { "reshape_two_minus_one", "node 'r' (Reshape): more than one -1 in the target shape" },
        { "reshape_huge_dim", "node 'r' (Reshape): invalid target dimension 4294967296" },
        { "gather_index_out_of_range", "node 'g' (Gather): index 7 is out of range for axis 0 of size 3" },
        { "slice_step0", "node 's' (Slice): a step is 0" },
        { "pad_mode_bad", "node 'p' (Pad): pad mode 'wrap' is not supported" },
        { "concat_rank_mismatch", "node 'c' (Concat): cannot concatenate [1,2,8,8] and [3] on axis 0" },
        { "split_not_summing", "node 's' (Split): split sizes [1,3] do not add up to 2" },
        { "split_negative", "node 's' (Split): split sizes [-1,3] must not be negative" },
        { "constant_of_shape_huge", "node 'c' (ConstantOfShape): the folded result of shape [100000,100000] would hold more than 16777216 elements" },
        { "flatten_axis_huge", "node 'f' (Flatten): axis 4294967297 is out of range for rank 4" },
        { "cast_to_missing", "node 'c' (Cast): attribute 'to' is required" },
        { "clip_min_above_max", "node 'c' (Clip): min 2 is greater than max 1" },
    };

    private static ModelProto BuildCase(string name) => name switch
    {
        "conv_stride0" => Conv(Ints("strides", 0, 1)),
        "conv_negative_pads" => Conv(Ints("pads", -1, 0, 0, 0)),
        "conv_dilation0" => Conv(Ints("dilations", 1, 0)),
        "conv_kernel_string" => Conv(Str("kernel_shape", "3,3")),
        "conv_kernel_mismatch" => Conv(Ints("kernel_shape", 5, 5)),
        "conv_group0" => Conv(Int("group", 0)),
        "conv_group_mismatch" => Conv(Int("group", 2)),
        "conv_auto_pad_bad" => Conv(Str("auto_pad", "SIDEWAYS")),
        "conv_kernel_too_big" => Conv(Ints("dilations", 8, 1)),
        "maxpool_kernel0" => Pool("MaxPool", Ints("kernel_shape", 0, 2)),
        "maxpool_pad_ge_kernel" => Pool("MaxPool", Ints("kernel_shape", 2, 2), Ints("pads", 2, 0, 0, 0)),
        "avgpool_ceil_mode_7" => Pool("AveragePool", Ints("kernel_shape", 2, 2), Int("ceil_mode", 7)),
        "avgpool_kernel_int" => Pool("AveragePool", Int("kernel_shape", 2)),
        "transpose_perm_out_of_range" => Model(13, [1, 2, 8, 8], [Node("Transpose", "t", ["x"], ["y"], Ints("perm", 0, 1, 2, 5))]),
        "transpose_perm_repeated" => Model(13, [1, 2, 8, 8], [Node("Transpose", "t", ["x"], ["y"], Ints("perm", 0, 0, 1, 2))]),
        "softmax_axis_out_of_range" => Model(13, [1, 2, 8, 8], [Node("Softmax", "s", ["x"], ["y"], Int("axis", 9))]),
        "gemm_transA_2" => Model(13, [1, 4], [Node("Gemm", "g", ["x", "w"], ["y"], Int("transA", 2))], Floats("w", [4, 3])),
        "gemm_alpha_int" => Model(13, [1, 4], [Node("Gemm", "g", ["x", "w"], ["y"], Int("alpha", 2))], Floats("w", [4, 3])),
        "reshape_two_minus_one" => Model(13, [1, 2, 8, 8], [Node("Reshape", "r", ["x", "s"], ["y"])], Longs("s", -1, -1)),
        "reshape_huge_dim" => Model(13, [1, 2, 8, 8], [Node("Reshape", "r", ["x", "s"], ["y"])], Longs("s", 1L << 32, 0)),
        "gather_index_out_of_range" => Model(13, [1, 2, 8, 8], [Node("Gather", "g", ["c", "i"], ["y"])], Floats("c", [3, 2]), Longs("i", 0, 7)),
        "slice_step0" => Model(13, [1, 2, 8, 8], [Node("Slice", "s", ["x", "st", "en", "ax", "sp"], ["y"])], Longs("st", 0), Longs("en", 1), Longs("ax", 1), Longs("sp", 0)),
        "pad_mode_bad" => Model(13, [1, 2, 8, 8], [Node("Pad", "p", ["x", "pads"], ["y"], Str("mode", "wrap"))], Longs("pads", 0, 0, 1, 1, 0, 0, 1, 1)),
        "concat_rank_mismatch" => Model(13, [1, 2, 8, 8], [Node("Concat", "c", ["x", "k"], ["y"], Int("axis", 0))], Floats("k", [3])),
        "split_not_summing" => Model(13, [1, 2, 8, 8], [Node("Split", "s", ["x", "sz"], ["y", "y2"], Int("axis", 1))], Longs("sz", 1, 3)),
        "split_negative" => Model(13, [1, 2, 8, 8], [Node("Split", "s", ["x", "sz"], ["y", "y2"], Int("axis", 1))], Longs("sz", -1, 3)),
        "constant_of_shape_huge" => Model(13, [1, 2, 8, 8], [Node("ConstantOfShape", "c", ["s"], ["y"])], Longs("s", 100000, 100000)),
        "flatten_axis_huge" => Model(13, [1, 2, 8, 8], [Node("Flatten", "f", ["x"], ["y"], Int("axis", (1L << 32) + 1))]),
        "cast_to_missing" => Model(13, [1, 2, 8, 8], [Node("Cast", "c", ["x"], ["y"])]),
        "clip_min_above_max" => Model(9, [1, 2, 8, 8], [Node("Clip", "c", ["x"], ["y"], new AttributeProto { Name = "min", Type = AttributeProto.Types.AttributeType.Float, F = 2 }, new AttributeProto { Name = "max", Type = AttributeProto.Types.AttributeType.Float, F = 1 })]),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(InvalidAttributeCases))]
    public void BuildGraph_InvalidAttributeOrInput_OneLineErrorNamingNodeAndAttribute(string name, string expected)
    {
        var path = Save(BuildCase(name));
        Assert.Contains(expected, LoadAndBuildError(path));
    }

    // ---- item 7: duplicate names and huge shapes ----

    [Fact]
    public void Load_TwoNodesProduceOneOutput_ErrorNamesBoth()
    {
        var model = Model(13, [1, 4], [Node("Relu", "a", ["x"], ["y"]), Node("Sigmoid", "b", ["x"], ["y"])]);
        var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(Save(model)));
        Assert.EndsWith("node 'b' (Sigmoid): output 'y' is already defined by node 'a' (Relu)", e.Message);
    }

    [Fact]
    public void Load_DuplicateGraphInputOutputOrInitializerAsNodeOutput_Refused()
    {
        var inputs = Model(13, [1, 4], [Node("Relu", "a", ["x"], ["y"])]);
        inputs.Graph.Input.Add(Info("x", 1, 4));
        Assert.EndsWith("graph input 'x' is declared twice", Assert.Throws<OnnxModelException>(() => OnnxModel.Load(Save(inputs, "i.onnx"))).Message);

        var outputs = Model(13, [1, 4], [Node("Relu", "a", ["x"], ["y"])]);
        outputs.Graph.Output.Add(Info("y"));
        Assert.EndsWith("graph output 'y' is declared twice", Assert.Throws<OnnxModelException>(() => OnnxModel.Load(Save(outputs, "o.onnx"))).Message);

        var shadow = Model(13, [1, 4], [Node("Relu", "a", ["x"], ["w"]), Node("Relu", "b", ["w"], ["y"])], Floats("w", [4]));
        Assert.EndsWith("node 'a' (Relu): output 'w' is already defined by initializer 'w'", Assert.Throws<OnnxModelException>(() => OnnxModel.Load(Save(shadow, "s.onnx"))).Message);

        var overwriteInput = Model(13, [1, 4], [Node("Relu", "a", ["x"], ["x"])]);
        Assert.EndsWith("node 'a' (Relu): output 'x' is already defined by graph input 'x'", Assert.Throws<OnnxModelException>(() => OnnxModel.Load(Save(overwriteInput, "x.onnx"))).Message);
    }

    [Fact]
    public void BuildGraph_InputOf1e5By1e5_RefusedBeforeAllocating()
    {
        var path = Save(Model(13, [1, 100000, 100000], [Node("Relu", "a", ["x"], ["y"])]));
        Assert.Contains("input 'x' of shape [1,100000,100000] has more than 2147483647 elements", LoadAndBuildError(path));
        var huge = Save(Model(13, [1, 1L << 33], [Node("Relu", "a", ["x"], ["y"])]), "h.onnx");
        Assert.EndsWith("graph input 'x' has invalid dimension 8589934592", Assert.Throws<OnnxModelException>(() => OnnxModel.Load(huge)).Message);
    }

    [Fact]
    public void Load_InitializerDimsOverflowingLong_Refused()
    {
        var t = new TensorProto { Name = "w", ElementType = OnnxDataType.Float };
        t.Dims.AddRange([int.MaxValue, int.MaxValue, int.MaxValue, 4]);
        var path = Save(Model(13, [1, 4], [Node("Relu", "a", ["x"], ["y"])], t));
        var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(path));
        Assert.Contains("tensor 'w': dimensions [2147483647,2147483647,2147483647,4] hold more than 2147483647 elements", e.Message);
    }

    // ---- found by FuzzTests ----

    [Fact]
    public void Load_ControlCharactersInNames_MessageStaysOneLine()
    {
        var model = Model(13, [1, 4], [Node("Re\nlu", "a\r\nb", ["x"], ["y"])]);
        var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(Save(model)));
        Assert.EndsWith("unsupported operators at opset 13: Re\\x0alu (node 'a\\x0d\\x0ab')", e.Message);
    }

    [Fact]
    public void BuildGraph_EmptyRuntimeTensor_RefusedAtTheNodeNotInAKernel()
    {
        var zeroInput = Save(Model(13, [1, 0, 4, 4], [Node("GlobalAveragePool", "p", ["x"], ["y"])]), "z.onnx");
        Assert.Contains("input 'x' of shape [1,0,4,4] has a zero or negative dimension", LoadAndBuildError(zeroInput));
        var emptySlice = Save(Model(13, [1, 4], [Node("Slice", "s", ["x", "st", "en"], ["r"]), Node("Sigmoid", "g", ["r"], ["y"])], Longs("st", 2), Longs("en", 2)), "e.onnx");
        Assert.Contains("node 's' (Slice): output 'r' is empty ([0,4])", LoadAndBuildError(emptySlice));
    }

    [Fact]
    public void BuildGraph_GatherOnScalar_NoAxisError()
    {
        var c = new TensorProto { Name = "c", ElementType = OnnxDataType.Float };
        c.FloatData.Add(1f);
        var path = Save(Model(13, [1, 4], [Node("Gather", "g", ["c", "i"], ["k"]), Node("Add", "a", ["x", "k"], ["y"])], c, Longs("i", 0)));
        Assert.Contains("node 'g' (Gather): axis 0 is out of range for rank 0", LoadAndBuildError(path));
    }

    // ---- item 2 and 7: external data ----

    /// <summary>Sets (or with null removes) an external_data entry.</summary>
    private static void SetExternal(TensorProto tensor, string key, string? value)
    {
        for (int i = tensor.ExternalData.Count - 1; i >= 0; i--)
            if (tensor.ExternalData[i].Key == key) tensor.ExternalData.RemoveAt(i);
        if (value is not null) tensor.ExternalData.Add(new StringStringEntryProto { Key = key, Value = value });
    }

    private ModelProto ExternalModel(string location, string? offset = "0", string? length = "60")
    {
        var model = OnnxWriter.Read(TestPaths.Fixture("external_data.onnx"));
        foreach (var t in model.Graph.Initializer.Where(t => t.IsExternal)) SetExternal(t, "location", location);
        var w = model.Graph.Initializer.Single(t => t.Name == "w");
        SetExternal(w, "offset", offset);
        SetExternal(w, "length", length);
        return model;
    }

    [Fact]
    public void Load_ExternalDataSymlinkOutOfFolder_Refused()
    {
        if (OperatingSystem.IsWindows()) return;
        var outside = Directory.CreateTempSubdirectory("onnx-outside").FullName;
        try
        {
            var secret = Path.Combine(outside, "secret.bin");
            File.WriteAllBytes(secret, new byte[60]);
            File.CreateSymbolicLink(Path.Combine(_dir, "passwd_link.bin"), secret);
            var path = Save(ExternalModel("passwd_link.bin"));
            var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(path));
            Assert.Contains("tensor 'w': external data location 'passwd_link.bin' resolves to", e.Message);
            Assert.Contains("outside the model's folder", e.Message);

            // A linked folder is resolved too.
            Directory.CreateSymbolicLink(Path.Combine(_dir, "sub"), outside);
            var viaFolder = Save(ExternalModel("sub/secret.bin"), "f.onnx");
            Assert.Contains("outside the model's folder", Assert.Throws<OnnxModelException>(() => OnnxModel.Load(viaFolder)).Message);

            // /etc/passwd as in the report (its size does not matter: the folder check comes first).
            if (File.Exists("/etc/passwd"))
            {
                File.CreateSymbolicLink(Path.Combine(_dir, "etc_link.bin"), "/etc/passwd");
                var etc = Save(ExternalModel("etc_link.bin", length: null), "e.onnx");
                Assert.Contains("outside the model's folder", Assert.Throws<OnnxModelException>(() => OnnxModel.Load(etc)).Message);
            }
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public void Load_ExternalDataSymlinkInsideFolder_Loads()
    {
        if (OperatingSystem.IsWindows()) return;
        File.Copy(TestPaths.Fixture("external_data.bin"), Path.Combine(_dir, "real.bin"));
        File.CreateSymbolicLink(Path.Combine(_dir, "link.bin"), Path.Combine(_dir, "real.bin"));
        var model = OnnxModel.Load(Save(ExternalModel("link.bin")));
        Assert.Equal([5, 3], model.Initializers["w"].Dims);
    }

    [Theory]
    [InlineData("../external_data.bin", "0", "60", "must be relative to the model's folder")]
    [InlineData("/etc/passwd", "0", "60", "must be relative to the model's folder")]
    [InlineData("data.bin", "9223372036854775807", "60", "external data range offset 9223372036854775807 length 60 exceeds 'data.bin' (72 bytes)")]
    [InlineData("data.bin", "-1", "60", "must not be negative")]
    [InlineData("data.bin", "0", "9223372036854775807", "external data length 9223372036854775807 does not match the 60 bytes")]
    [InlineData("data.bin", "0", "12", "external data length 12 does not match the 60 bytes")]
    [InlineData("data.bin", "20", null, "external data range offset 20 length 60 exceeds 'data.bin' (72 bytes)")]
    [InlineData("sub", "0", "60", "is a directory, not a regular file")]
    public void Load_ExternalDataBadLocationOrRange_ErrorNamesTensor(string location, string offset, string? length, string expected)
    {
        File.Copy(TestPaths.Fixture("external_data.bin"), Path.Combine(_dir, "data.bin"));
        Directory.CreateDirectory(Path.Combine(_dir, "sub"));
        var path = Save(ExternalModel(location, offset, length));
        var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(path));
        Assert.StartsWith($"{path}: tensor 'w': ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    // ---- item 8: special files ----

    [Fact]
    public async Task Load_FifoAsExternalDataOrModel_RefusedWithoutBlocking()
    {
        if (OperatingSystem.IsWindows() || !MakeFifo(Path.Combine(_dir, "pipe.bin"))) return;
        var path = Save(ExternalModel("pipe.bin"));
        // WaitAsync fails the test with a TimeoutException where opening the FIFO would block.
        var message = await Task.Run(() => Assert.Throws<OnnxModelException>(() => OnnxModel.Load(path)).Message).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("is a named pipe (FIFO), not a regular file", message);

        var model = Path.Combine(_dir, "pipe.bin");
        message = await Task.Run(() => Assert.Throws<OnnxModelException>(() => OnnxModel.Load(model)).Message).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal($"{model}: is a named pipe (FIFO), not a regular file", message);

        message = await Task.Run(() => Assert.Throws<DataFileException>(() => NpyFile.Read(model)).Message).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal($"{model}: is a named pipe (FIFO), not a regular file", message);
    }

    [Fact]
    public void Load_DevZeroAsModel_RefusedWithoutReading()
    {
        if (!File.Exists("/dev/zero")) return;
        var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Load("/dev/zero"));
        Assert.Equal("/dev/zero: is a character device, not a regular file", e.Message);
        Assert.Throws<DataFileException>(() => NpyFile.Read("/dev/zero"));
        Assert.Throws<DataFileException>(() => NpzFile.Read("/dev/zero"));
    }

    private static bool MakeFifo(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        process.WaitForExit();
        return process.ExitCode == 0;
    }

    // ---- item 9: inspect keeps what was inferred before the failure ----

    [Fact]
    public void ReportCreate_BuildFails_KeepsShapesBeforeTheFailingNodeAndTheError()
    {
        var model = Model(13, [1, 2, 8, 8],
            [Node("Relu", "ok", ["x"], ["r"]), Node("Transpose", "t", ["r"], ["y"], Ints("perm", 0, 1, 2, 5))]);
        var report = OnnxModelReport.Create(OnnxModel.Read(Save(model)), 1);
        Assert.Contains("node 't' (Transpose): attribute 'perm' value 5 is out of range [0, 3]", report.BuildError);
        Assert.Equal([1, 2, 8, 8], report.Nodes[0].Outputs[0].Shape);
        Assert.Empty(report.Nodes[1].Outputs[0].Shape);
    }
}
