using System.CommandLine;
using ModelAudit.Audit.Data;
using ModelAudit.Audit.Spec;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Cli;

/// <summary>
/// <c>init MODEL.onnx --data X.npy [--labels Y.npy] [--output audit.yaml] [--force] [--allow-missing]</c>: writes a
/// starter spec. It counts the samples in the data (<c>samples:</c> is min(N, 256)) and refuses (exit 3) to name
/// data or labels that do not exist, or to leave the data out, unless <c>--allow-missing</c> is given.
/// </summary>
internal static class InitCommand
{
    private const string NotFound = "file not found";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = CliOptions.Model();
        var data = new Option<string>("--data") { Description = "Input samples (.npy, .npz or .csv); init counts them." };
        var labels = new Option<string>("--labels") { Description = "Class indices (.npy); without them Y is the model's prediction." };
        var specOut = new Option<string>("--output") { Description = "Where to write the spec.", DefaultValueFactory = _ => "audit.yaml" };
        var force = new Option<bool>("--force") { Description = "Replace an existing spec file." };
        var allowMissing = new Option<bool>("--allow-missing")
        {
            Description = "Write the spec even when --data is left out (a placeholder inputs.npy) or the data or labels do not exist yet.",
        };
        var command = new Command("init", "Write a starter audit spec for a model: its Relu/Add layers, every analysis, a few gates.")
        {
            model, data, labels, specOut, force, allowMissing,
        };
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
            bool allow = parse.GetValue(allowMissing);
            if (dataPath is null && !allow)
            {
                error.WriteLine("error: init needs --data with the samples to audit (.npy, .npz or .csv); pass --allow-missing to write a placeholder 'inputs.npy' instead");
                return Task.FromResult(ExitCodes.InvalidInput);
            }
            var missing = new List<string>();
            foreach (var file in new[] { dataPath, labelsPath })
            {
                if (file is null || RegularFile.Problem(file) is not { } problem) continue;
                if (problem == NotFound && allow) missing.Add(file);
                else throw new DataFileException($"{file}: {problem}{(problem == NotFound ? "; pass --allow-missing to write a spec naming it anyway" : "")}");
            }
            int? samples = dataPath is null || missing.Contains(dataPath) ? null : SampleCount.Of(dataPath);
            if (samples == 0) throw new DataFileException($"{dataPath}: the file holds no samples");
            var text = StarterSpec.Create(modelPath, dataPath, labelsPath, path, samples);
            cancellationToken.ThrowIfCancellationRequested();
            using var staged = StagedFile.Write(path, s => s.Write(new System.Text.UTF8Encoding(false).GetBytes(text)));
            staged.Commit();
            output.WriteLine($"wrote {path}");
            if (dataPath is null) output.WriteLine("note: data.inputs is a placeholder, 'inputs.npy' next to the spec: set it to your samples");
            foreach (var file in missing) output.WriteLine($"note: {file} does not exist yet");
            if (samples is { } n) output.WriteLine(n > StarterSpec.DefaultMaxSamples
                ? $"samples: {StarterSpec.DefaultMaxSamples} of the {n} in {dataPath}"
                : $"samples: all {n} in {dataPath}");
            output.WriteLine($"reference: {StarterSpec.ReferenceCommand}");
            output.WriteLine("next: dotnet model-audit run " + path);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
