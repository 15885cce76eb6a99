using System.CommandLine;
using ModelAudit.Analysis;
using ModelAudit.Onnx;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Cli;

/// <summary><c>grad MODEL.onnx --input X.npy --target T.npy --layers A,B --dump DIR [--target-axis A --target-reduce sum|mean|flat]</c>: gradients of sum_i score_i.</summary>
internal static class GradCommand
{
    public static Command Create(TextWriter output)
    {
        var model = CliOptions.Model();
        var input = CliOptions.Input();
        var target = new Option<string>("--target") { Description = "Class index per sample (.npy, integer, shape [N]).", Required = true };
        var layers = CliOptions.Layers();
        layers.Required = true;
        var dump = CliOptions.Dump(required: true);
        var targetAxis = CliOptions.TargetAxis();
        var targetReduce = CliOptions.TargetReduce();
        var command = new Command("grad", "Gradients of the selected scores, sum_i output[i, target[i]] (or a class summed over time/space, --target-axis/--target-reduce), with respect to layers (the input included).")
        {
            model, input, target, layers, dump, targetAxis, targetReduce,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var session = new OnnxSession(OnnxModel.Load(parse.GetRequiredValue(model)));
            var inputPath = parse.GetRequiredValue(input);
            var x = CliData.Input(session, inputPath);
            var targetPath = parse.GetRequiredValue(target);
            var outputTarget = CliOptions.Target(parse.GetValue(targetAxis), parse.GetValue(targetReduce)!);
            var targets = CliData.ClassIndices(session, x, targetPath, "target", outputTarget);
            var requested = CliOptions.SplitLayers(parse.GetValue(layers));
            if (requested.Count == 0) throw new ModelInputException("--layers names no layer");
            cancellationToken.ThrowIfCancellationRequested();
            IReadOnlyList<KeyValuePair<string, ModelAudit.Tensors.Tensor>> gradients;
            try
            {
                // In chunks that fit the memory budget (one batch when the samples fit one chunk).
                gradients = ModelExecution.ForData(session, x).Gradients(x, targets, requested, outputTarget, cancellationToken);
            }
            catch (ModelInputException e) when (e.Message.StartsWith("targets:", StringComparison.Ordinal))
            {
                throw new ModelInputException(targetPath + e.Message["targets".Length..]);
            }
            cancellationToken.ThrowIfCancellationRequested();
            var dumpDir = parse.GetRequiredValue(dump);
            using var layerDump = LayerDump.Stage(dumpDir, gradients.Select(p => KeyValuePair.Create(p.Key, NpyArray.FromTensor(p.Value))), cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            layerDump.Commit();
            foreach (var (name, g) in gradients) output.WriteLine(InferCommand.Describe(name, g));
            output.WriteLine($"wrote {layerDump.Files.Count} gradients to {dumpDir}");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
