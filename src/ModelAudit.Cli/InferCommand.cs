using System.CommandLine;
using System.Globalization;
using ModelAudit.Analysis;
using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Cli;

/// <summary><c>infer MODEL.onnx --input X.npy [--output Y.npy] [--layers A,B] [--dump DIR]</c>.</summary>
internal static class InferCommand
{
    public static Command Create(TextWriter output)
    {
        var model = CliOptions.Model();
        var input = CliOptions.Input();
        var outputFile = new Option<string>("--output") { Description = "Write the first model output here (.npy)." };
        var layers = CliOptions.Layers();
        var dump = CliOptions.Dump(required: false);
        var command = new Command("infer", "Run the model on a batch; print, save or dump layer activations.") { model, input, outputFile, layers, dump };
        command.SetAction((parse, cancellationToken) =>
        {
            var session = new OnnxSession(OnnxModel.Load(parse.GetRequiredValue(model)));
            var inputPath = parse.GetRequiredValue(input);
            var x = CliData.Input(session, inputPath);
            var requested = CliOptions.SplitLayers(parse.GetValue(layers));
            var outputNames = session.OutputNames;
            var dumped = requested.Count > 0 ? requested : outputNames;
            // In chunks that fit the memory budget (one batch when the samples fit one chunk).
            var results = ModelExecution.ForData(session, x).Forward(x, [.. dumped.Concat(outputNames).Distinct()], cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            var byName = results.Layers.ToDictionary(p => p.Key, p => p.Value);

            var outputPath = parse.GetValue(outputFile);
            var dumpDir = parse.GetValue(dump);
            using var staged = outputPath is null ? null : StagedFile.Write(outputPath, s => NpyFile.Write(s, NpyArray.FromTensor(byName[outputNames[0]])));
            using var layerDump = dumpDir is null ? null : LayerDump.Stage(dumpDir, dumped.Select(n => KeyValuePair.Create(n, NpyArray.FromTensor(byName[n]))), cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            staged?.Commit();
            layerDump?.Commit();

            foreach (var name in dumped) output.WriteLine(Describe(name, byName[name]));
            if (staged is not null) output.WriteLine($"wrote {outputPath}");
            if (layerDump is not null) output.WriteLine($"wrote {layerDump.Files.Count} layers to {dumpDir}");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>One line per tensor: name, shape and value range.</summary>
    internal static string Describe(string name, Tensor tensor)
    {
        var span = tensor.Span;
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        double sum = 0;
        foreach (var v in span)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
        }
        var inv = CultureInfo.InvariantCulture;
        return span.Length == 0
            ? $"{name}  {tensor.Shape}"
            : $"{name}  {tensor.Shape}  min {min.ToString("G6", inv)}  max {max.ToString("G6", inv)}  mean {(sum / span.Length).ToString("G6", inv)}";
    }
}
