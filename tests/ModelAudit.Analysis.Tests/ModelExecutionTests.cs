using System.Text.Json;
using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Analysis.Tests;

/// <summary>The model-execution service on the digits CNN (tests/fixtures/digits_cnn, goldens from PyTorch).</summary>
public sealed class ModelExecutionTests
{
    private static string Digits(params string[] parts) => Path.Combine([RepositoryPaths.Fixtures, "digits_cnn", .. parts]);

    private static (ModelExecution Model, Tensor Input, long[] Targets) Load()
    {
        var model = new ModelExecution(new OnnxSession(OnnxModel.Load(Digits("model.onnx"))));
        return (model, NpyFile.Read(Digits("input.npy")).ToTensor(), NpyFile.Read(Digits("target.npy")).ToInt64());
    }

    private static Dictionary<string, string> Index(string folder)
        => JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Digits(folder, "index.json")))!;

    /// <summary>Asserts max|expected - actual| / max|expected| &lt;= relTol.</summary>
    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relTol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxError = 0, maxValue = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            maxError = Math.Max(maxError, Math.Abs((double)expected[i] - actual[i]));
            maxValue = Math.Max(maxValue, Math.Abs((double)expected[i]));
        }
        Assert.True(maxError <= relTol * Math.Max(maxValue, 1e-30), $"{what}: max abs error {maxError:E3} against max abs value {maxValue:E3} (tol {relTol:E1})");
    }

    [Fact]
    public void Forward_ChunksOf5WithPaddedLastChunk_EveryActivationMatchesPyTorchAndOneBatchBitForBit()
    {
        var (model, input, _) = Load();
        var index = Index("activations");
        var names = index.Keys.ToList();
        var chunked = model.Forward(input, names, chunkRows: 5);
        var whole = model.Forward(input, names, chunkRows: input.Shape[0]);
        Assert.NotEqual(0, input.Shape[0] % 5); // so the last chunk is padded
        for (int l = 0; l < names.Count; l++)
        {
            var expected = NpyFile.Read(Digits("activations", index[names[l]]));
            var actual = chunked.Layers[l].Value;
            Assert.Equal(expected.Shape, actual.Shape.ToArray());
            // Float32 engine against PyTorch's float32 kernels: 1e-4 relative, as the import's parity tests.
            AssertClose(expected.ToFloat32(), actual.Span, 1e-4, names[l]);
            // Forward kernels work per sample: chunking and padding change no bit.
            Assert.Equal(whole.Layers[l].Value.Span.ToArray(), actual.Span.ToArray());
        }
        Assert.Equal(whole.Predicted, chunked.Predicted);
        var logits = NpyFile.Read(Digits("output.npy")).ToFloat32();
        for (int i = 0; i < input.Shape[0]; i++)
        {
            var row = logits.AsSpan(i * 10, 10).ToArray();
            Assert.Equal(Array.IndexOf(row, row.Max()), chunked.Predicted![i]);
        }
    }

    [Fact]
    public void Gradients_ChunksOf5WithPaddedLastChunk_MatchPyTorch()
    {
        var (model, input, targets) = Load();
        var index = Index("gradients");
        var names = index.Keys.ToList();
        var gradients = model.Gradients(input, targets, names, chunkRows: 5);
        foreach (var (name, tensor) in gradients)
        {
            var expected = NpyFile.Read(Digits("gradients", index[name]));
            Assert.Equal(expected.Shape, tensor.Shape.ToArray());
            // As the import's gradient parity tests: 1e-3 relative (backward sums in another order than PyTorch's).
            AssertClose(expected.ToFloat32(), tensor.Span, 1e-3, name);
        }
    }

    [Fact]
    public void Gradients_LastBiasOverChunksOf5_SumsToTargetCountsExactly()
    {
        // S = sum_i logits[i, t_i] and logits = h W^T + b, so dS/db[c] = #{i : t_i = c}: the chunks' sums add up and the
        // padded rows (repeats of the last sample) add nothing.
        var (model, input, targets) = Load();
        var bias = model.Gradients(input, targets, ["fc2.bias"], chunkRows: 5)[0].Value.Span.ToArray();
        var counts = new float[10];
        foreach (var t in targets) counts[t]++;
        Assert.Equal(counts, bias);
    }

    [Fact]
    public void ForEachChunk_SevenSamplesInThrees_PadsLastChunkWithItsLastSampleAndReportsEachChunk()
    {
        var (model, input, _) = Load();
        int size = model.SampleSize;
        var data = input.Span[..(7 * size)].ToArray();
        var seen = new List<(int Index, int First, int Count, int Rows, float[] Batch)>();
        var progress = new List<ChunkProgress>();
        model.ForEachChunk(data, 0, 7, 3, ChunkPadding.RepeatLastSample,
            c => seen.Add((c.Index, c.First, c.Count, c.Rows, c.Batch.Span.ToArray())), progress.Add, CancellationToken.None);
        Assert.Equal([(0, 0, 3, 3), (1, 3, 3, 3), (2, 6, 1, 3)], seen.Select(s => (s.Index, s.First, s.Count, s.Rows)));
        Assert.Equal([new ChunkProgress(1, 3, 3), new ChunkProgress(2, 3, 3), new ChunkProgress(3, 3, 1)], progress);
        var last = data.AsSpan(6 * size, size).ToArray();
        for (int r = 0; r < 3; r++) Assert.Equal(last, seen[2].Batch.AsSpan(r * size, size).ToArray());
        Assert.Equal(data.AsSpan(3 * size, 3 * size).ToArray(), seen[1].Batch);
    }

    [Fact]
    public void ForEachChunk_NoPadding_ShortLastChunkRunsAtItsOwnSize()
    {
        var (model, input, _) = Load();
        var rows = new List<int>();
        model.ForEachChunk(input.Span, 2, 5, 3, ChunkPadding.None, c => rows.Add(c.Plan.Graph.Values[c.InputId].Shape[0]), null, CancellationToken.None);
        Assert.Equal([3, 2], rows);
    }

    [Fact]
    public void ForEachChunk_CancelledDuringFirstChunk_StopsBeforeTheSecond()
    {
        var (model, input, _) = Load();
        using var cancel = new CancellationTokenSource();
        int chunks = 0;
        Assert.Throws<OperationCanceledException>(() => model.ForEachChunk(input.Span, 0, 9, 3, ChunkPadding.None, _ =>
        {
            chunks++;
            cancel.Cancel();
        }, null, cancel.Token));
        Assert.Equal(1, chunks);
    }

    [Theory]
    [InlineData(1L << 20, 128, 85)] // 1 GiB / (12 B x 1 Mi values) = 85.3
    [InlineData(1L << 26, 128, 1)] // 1.33 rows: at least one
    [InlineData(1000L, 128, 128)] // capped
    [InlineData(1L << 40, 128, 1)] // a row over the budget still runs alone
    public void RowsWithinBudget_TwelveBytesPerRecordedValueInOneGiB(long values, int max, int expected)
        => Assert.Equal(expected, ModelExecution.RowsWithinBudget(values, max));

    [Fact]
    public void Gradients_UnknownLayer_ErrorNamesIt()
    {
        var (model, input, targets) = Load();
        var e = Assert.Throws<ModelInputException>(() => model.Gradients(input, targets, ["nope"]));
        Assert.StartsWith("unknown layer 'nope'", e.Message);
    }
}
