using System.CommandLine;
using ModelAudit.Audit.Spec;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Cli;

/// <summary><c>init MODEL.onnx [--data X.npy --labels Y.npy] [--output audit.yaml] [--force]</c>: writes a starter spec.</summary>
internal static class InitCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = CliOptions.Model();
        var data = new Option<string>("--data") { Description = "Input samples (.npy, .npz or .csv)." };
        var labels = new Option<string>("--labels") { Description = "Class indices (.npy); without them Y is the model's prediction." };
        var specOut = new Option<string>("--output") { Description = "Where to write the spec.", DefaultValueFactory = _ => "audit.yaml" };
        var force = new Option<bool>("--force") { Description = "Replace an existing spec file." };
        var command = new Command("init", "Write a starter audit spec for a model: its Relu/Add layers, every analysis, a few gates.") { model, data, labels, specOut, force };
        command.SetAction((parse, cancellationToken) =>
        {
            var path = parse.GetRequiredValue(specOut);
            if (File.Exists(path) && !parse.GetValue(force))
            {
                error.WriteLine($"error: {path} exists; pass --force to replace it");
                return Task.FromResult(ExitCodes.InvalidInput);
            }
            var modelPath = parse.GetRequiredValue(model);
            var dataPath = parse.GetValue(data);
            var labelsPath = parse.GetValue(labels);
            foreach (var file in new[] { dataPath, labelsPath })
                if (file is not null && Tensors.Io.RegularFile.Problem(file) is { } problem) throw new DataFileException($"{file}: {problem}");
            var text = StarterSpec.Create(modelPath, dataPath, labelsPath, path);
            cancellationToken.ThrowIfCancellationRequested();
            using var staged = StagedFile.Write(path, s => s.Write(new System.Text.UTF8Encoding(false).GetBytes(text)));
            staged.Commit();
            output.WriteLine($"wrote {path}");
            if (dataPath is null) output.WriteLine("next: set data.inputs to your samples, then run: dotnet model-audit run " + path);
            else output.WriteLine("next: dotnet model-audit run " + path);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
