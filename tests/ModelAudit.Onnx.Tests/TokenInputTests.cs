using ModelAudit.Tensors.Io;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Onnx.Tests;

/// <summary>Integer model inputs (token ids): an embedding lookup (Gather with runtime indices) and its limits.</summary>
public sealed class TokenInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("token-input-tests").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string TextModel => TestPaths.Golden("text_embed", "model.onnx");

    [Fact]
    public void Run_TokenIdsThroughTheEmbedding_MatchesTorch()
    {
        var session = new OnnxSession(OnnxModel.Load(TextModel));
        Assert.True(session.HasIntegerInput);
        using var ids = session.InputFrom(NpyFile.Read(TestPaths.Golden("text_embed", "input.npy")), "input.npy");
        var output = session.Run(ids, [])[0].Value;
        var expected = NpyFile.Read(TestPaths.Golden("text_embed", "output.npy")).ToFloat32();
        // One forward of small layers in float32: rounding only.
        TensorAssert.AssertClose(expected, output.ToArray(), 1e-5, "logits");
        var graph = session.GraphFor(ids.Shape);
        Assert.Contains(graph.Nodes, n => n.Operation is GatherIndexed);
    }

    [Fact]
    public void Gradients_EmbeddingTable_AddsEveryOccurrenceOfAToken()
    {
        // d(sum of outputs)/d(table row r) = sum over the positions holding token r of d/d(embedding): checked
        // against the gradient at the embedding output, an exact identity.
        var session = new OnnxSession(OnnxModel.Load(TextModel));
        var array = NpyFile.Read(TestPaths.Golden("text_embed", "input.npy"));
        using var ids = session.InputFrom(array, "input.npy");
        var table = session.Model.Proto.Graph.Node.First(n => n.OpType == "Gather").Input[0];
        long[] targets = [0, 1, 2];
        var g = session.Gradients(ids, targets, [table, "/emb/Gather_output_0"]);
        var rows = g[0].Value.ToArray();
        var perPosition = g[1].Value.ToArray();
        var tokens = array.ToInt64();
        var expected = new float[rows.Length];
        for (int p = 0; p < tokens.Length; p++)
            for (int d = 0; d < 6; d++) expected[tokens[p] * 6 + d] += perPosition[p * 6 + d];
        TensorAssert.AssertClose(expected, rows, 1e-6, "table gradient");
    }

    [Fact]
    public void InputFrom_TokenIdsAsFloats_RefusedNamingTheType()
    {
        var session = new OnnxSession(OnnxModel.Load(TextModel));
        var e = Assert.Throws<ModelInputException>(() => session.InputFrom(NpyArray.FromFloat32(new float[4], 2, 2), "x.npy"));
        Assert.Equal("x.npy: expected integer (token id) input of rank 2 for 'ids' [N,L], got float32 [2,2]", e.Message);
    }

    [Fact]
    public void InputFrom_NegativeId_NamesTheSample()
    {
        var session = new OnnxSession(OnnxModel.Load(TextModel));
        var e = Assert.Throws<ModelInputException>(() => session.InputFrom(NpyArray.FromInt64([1, 2, 3, -4], 2, 2), "x.npy"));
        Assert.Equal($"x.npy: sample 1 holds id -4 (element 3); token ids must be in [0, {OnnxSession.MaxTokenId})", e.Message);
    }

    [Fact]
    public void Run_IdOutsideTheVocabulary_OneLineError()
    {
        var session = new OnnxSession(OnnxModel.Load(TextModel));
        using var ids = session.InputFrom(NpyArray.FromInt64([1, 2, 3, 12], 2, 2), "x.npy");
        var e = Assert.ThrowsAny<Exception>(() => session.Run(ids, []));
        Assert.Contains("Gather index 12 at position 3 of the indices is outside [-12, 12)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_IntegerInputIntoAnotherOperator_NamesTheNode()
    {
        var model = OnnxWriter.Read(TextModel);
        var gather = model.Graph.Node.First(n => n.OpType == "Gather");
        // Feed the ids to Relu instead of the lookup: integer ids are not float values.
        var relu = new Protobuf.NodeProto { Name = "bad", OpType = "Relu" };
        relu.Input.Add("ids");
        relu.Output.Add("relu_ids");
        model.Graph.Node.Insert(model.Graph.Node.IndexOf(gather), relu);
        var path = Path.Combine(_dir, "m.onnx");
        OnnxWriter.Write(model, path);
        var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(path).BuildGraph(new Dictionary<string, int[]> { ["ids"] = [1, 3] }));
        Assert.Equal($"{path}: node 'bad' (Relu): input 0 'ids' holds integer ids at run time; only Gather (an embedding lookup) can read them", e.Message);
    }
}
