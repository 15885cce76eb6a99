using System.Diagnostics;
using Google.Protobuf;
using ModelAudit.Onnx.Protobuf;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Io;
using Xunit.Abstractions;
using AttributeType = ModelAudit.Onnx.Protobuf.AttributeProto.Types.AttributeType;

namespace ModelAudit.Onnx.Tests;

/// <summary>
/// Seeded in-process fuzzing of real fixture models: corrupt bytes, and mutated attributes, names and
/// dimensions. Loading, building and running a tiny batch must succeed or fail with one of the three
/// input exceptions and a one-line message; any other exception is a bug (CLI exit 1).
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("onnx-fuzz").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Outcome counts for the log: ran to the end, or refused with an input error.
    private static int s_ran, s_refused;

    private static readonly string[] SmallModels = ["digits_cnn", "iris_mlp", "cancer_nif_mlp", "captum_toy", "iris_nif_mlp"];

    private static IEnumerable<string> FixtureModels()
        => SmallModels.Select(m => TestPaths.Golden(m, "model.onnx"))
            .Concat(Directory.GetFiles(Path.GetDirectoryName(TestPaths.Fixture("x"))!, "*.onnx").Order(StringComparer.Ordinal));

    /// <summary>Loads, builds for a small batch and runs it; returns null, or a description of a forbidden outcome.</summary>
    private static string? Exercise(string path)
    {
        try
        {
            var model = OnnxModel.Load(path);
            var shapes = model.ShapesForBatch(2);
            if (shapes.Values.Any(d => ModelLimits.ElementCount(d) > 1 << 20)) return null; // too big to run here
            var graph = model.BuildGraph(shapes);
            if (model.Inputs.Count != 1) return null;
            var session = new OnnxSession(model);
            var dims = shapes[model.Inputs[0].Name];
            var data = new float[ModelLimits.ElementCount(dims)];
            for (int i = 0; i < data.Length; i++) data[i] = (i % 7) * 0.25f - 0.5f;
            foreach (var (_, tensor) in session.Run(Tensor.FromArray(data, dims), [])) tensor.Dispose();
            Interlocked.Increment(ref s_ran);
            return null;
        }
        catch (Exception e) when (e is OnnxModelException or ModelInputException or DataFileException)
        {
            Interlocked.Increment(ref s_refused);
            return e.Message.Contains('\n', StringComparison.Ordinal) || e.Message.Contains('\r', StringComparison.Ordinal)
                ? $"multi-line message: {e.Message}"
                : null;
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")} at {e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}";
        }
    }

    [Fact]
    public void Load_ByteFlipsAndTruncationsOfRealModel_OnlyInputErrors()
    {
        var original = File.ReadAllBytes(TestPaths.Golden("digits_cnn", "model.onnx"));
        var random = new Random(11);
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        var path = Path.Combine(_dir, "flip.onnx");
        for (int c = 0; c < 350; c++)
        {
            byte[] bytes;
            if (c < 300)
            {
                bytes = (byte[])original.Clone();
                int flips = 1 + random.Next(4);
                for (int f = 0; f < flips; f++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            }
            else
            {
                bytes = original[..random.Next(original.Length)];
            }
            File.WriteAllBytes(path, bytes);
            if (Exercise(path) is { } failure) failures.Add($"case {c}: {failure}");
        }
        output.WriteLine($"350 cases in {clock.Elapsed.TotalSeconds:F1} s, {failures.Count} failures (totals so far: ran {s_ran}, refused {s_refused})");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"took {clock.Elapsed}");
    }

    private static readonly string[] AttributeNames =
        ["axis", "axes", "perm", "pads", "strides", "dilations", "kernel_shape", "group", "split", "to", "mode", "auto_pad",
         "transA", "transB", "alpha", "beta", "epsilon", "keepdims", "ceil_mode", "starts", "ends", "value", "min", "max", "allowzero", "start", "end"];

    private static readonly long[] HostileInts = [0, -1, -2, 1, 2, 3, 7, int.MaxValue, (long)int.MaxValue + 1, int.MinValue, long.MaxValue, long.MinValue, 1L << 40, 100000];

    private static long HostileInt(Random random) => random.Next(3) == 0 ? random.Next(-5, 10) : HostileInts[random.Next(HostileInts.Length)];

    private static void Mutate(ModelProto model, Random random)
    {
        var graph = model.Graph;
        var names = graph.Node.SelectMany(n => n.Input.Concat(n.Output)).Concat(graph.Input.Select(i => i.Name)).Where(n => n.Length > 0).Distinct().ToArray();
        switch (random.Next(10))
        {
            case 0 or 1 or 2: // an existing attribute: values to 0 / negative / huge
            {
                var attributes = graph.Node.SelectMany(n => n.Attribute).ToArray();
                if (attributes.Length == 0) goto case 3;
                var a = attributes[random.Next(attributes.Length)];
                a.I = HostileInt(random);
                for (int i = 0; i < a.Ints.Count; i++)
                    if (random.Next(2) == 0) a.Ints[i] = HostileInt(random);
                if (random.Next(4) == 0) a.Ints.Add(HostileInt(random));
                if (random.Next(4) == 0 && a.Ints.Count > 0) a.Ints.RemoveAt(0);
                a.F = random.Next(4) switch { 0 => float.NaN, 1 => -1e30f, 2 => 0f, _ => float.PositiveInfinity };
                break;
            }
            case 3: // an attribute's type swapped (e.g. kernel_shape as a STRING)
            {
                var attributes = graph.Node.SelectMany(n => n.Attribute).ToArray();
                if (attributes.Length == 0) goto case 4;
                var a = attributes[random.Next(attributes.Length)];
                a.Type = (AttributeType)random.Next(0, 14);
                if (a.Type == AttributeType.String) a.S = ByteString.CopyFromUtf8("3,3");
                if (a.Type == AttributeType.Tensor && random.Next(2) == 0) a.T = new TensorProto { ElementType = OnnxDataType.Float };
                break;
            }
            case 4: // a new attribute of random name, type and value
            {
                var node = graph.Node[random.Next(graph.Node.Count)];
                var a = new AttributeProto { Name = AttributeNames[random.Next(AttributeNames.Length)], Type = (AttributeType)random.Next(1, 9), I = HostileInt(random), F = 0.5f, S = ByteString.CopyFromUtf8("SAME_UPPER") };
                for (int i = random.Next(5); i > 0; i--) a.Ints.Add(HostileInt(random));
                for (int i = node.Attribute.Count - 1; i >= 0; i--)
                    if (node.Attribute[i].Name == a.Name) node.Attribute.RemoveAt(i);
                node.Attribute.Add(a);
                break;
            }
            case 5: // duplicate names: a node output renamed to another value, or a graph input/output repeated
            {
                var node = graph.Node[random.Next(graph.Node.Count)];
                if (random.Next(3) == 0) graph.Input.Add(graph.Input[random.Next(graph.Input.Count)]);
                else if (random.Next(2) == 0 && graph.Output.Count > 0) graph.Output.Add(graph.Output[0]);
                else if (node.Output.Count > 0) node.Output[0] = names[random.Next(names.Length)];
                break;
            }
            case 6: // a node input rewired to another value (or removed)
            {
                var node = graph.Node[random.Next(graph.Node.Count)];
                if (node.Input.Count == 0) break;
                int i = random.Next(node.Input.Count);
                node.Input[i] = random.Next(4) == 0 ? "" : names[random.Next(names.Length)];
                break;
            }
            case 7: // graph input dims: huge, zero, negative
            {
                var input = graph.Input[random.Next(graph.Input.Count)];
                if (input.Type?.TensorType?.Shape?.Dim is not { Count: > 0 } shape) break;
                int d = random.Next(shape.Count);
                shape[d] = new TensorShapeProto.Types.Dimension { DimValue = HostileInt(random) };
                break;
            }
            case 8: // integer initializers (shape constants, axes, indices) to hostile values
            {
                var ints = graph.Initializer.Where(t => t.ElementType == OnnxDataType.Int64).ToArray();
                if (ints.Length == 0) goto case 9;
                var t = ints[random.Next(ints.Length)];
                if (t.RawData.Length >= 8)
                {
                    var raw = t.RawData.ToByteArray();
                    BitConverter.TryWriteBytes(raw.AsSpan(8 * random.Next(raw.Length / 8)), HostileInt(random));
                    t.RawData = ByteString.CopyFrom(raw);
                }
                for (int i = 0; i < t.Int64Data.Count; i++)
                    if (random.Next(2) == 0) t.Int64Data[i] = HostileInt(random);
                break;
            }
            case 9: // initializer dims to hostile values
            {
                if (graph.Initializer.Count == 0) break;
                var t = graph.Initializer[random.Next(graph.Initializer.Count)];
                if (t.Dims.Count == 0) t.Dims.Add(HostileInt(random));
                else t.Dims[random.Next(t.Dims.Count)] = HostileInt(random);
                break;
            }
        }
    }

    [Fact]
    public void Load_MutatedAttributesNamesAndDims_OnlyInputErrors()
    {
        var models = FixtureModels().Select(p => (Path: p, Bytes: File.ReadAllBytes(p))).ToArray();
        File.Copy(TestPaths.Fixture("external_data.bin"), Path.Combine(_dir, "external_data.bin"));
        var random = new Random(2026);
        var failures = new List<string>();
        int succeeded = 0;
        const int cases = 1500;
        var clock = Stopwatch.StartNew();
        var path = Path.Combine(_dir, "mutated.onnx");
        for (int c = 0; c < cases; c++)
        {
            var (source, bytes) = models[random.Next(models.Length)];
            var model = OnnxModelReader.ReadModel(bytes, source);
            if (model.Graph.Node.Count == 0 || model.Graph.Input.Count == 0) continue;
            int mutations = 1 + random.Next(3);
            for (int m = 0; m < mutations; m++) Mutate(model, random);
            OnnxWriter.Write(model, path);
            var failure = Exercise(path);
            if (failure is null)
            {
                succeeded++;
                continue;
            }
            failures.Add($"case {c} ({Path.GetFileName(Path.GetDirectoryName(source))}/{Path.GetFileName(source)}): {failure}");
        }
        output.WriteLine($"{cases} cases in {clock.Elapsed.TotalSeconds:F1} s: {failures.Count} failures, {succeeded} without a forbidden outcome (totals so far: ran {s_ran}, refused {s_refused})");
        Assert.True(failures.Count == 0, $"{failures.Count} failures:\n" + string.Join("\n", failures.Take(30)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"took {clock.Elapsed}");
    }
}
