using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ModelAudit.Onnx;

namespace ModelAudit.Cli;

/// <summary><c>inspect MODEL.onnx [--batch-size N] [--shape NAME=AxBx...]... [--json]</c>: inputs, outputs, nodes with shapes, parameter counts, unsupported operators.</summary>
internal static class InspectCommand
{
    public static Command Create(TextWriter output)
    {
        var model = CliOptions.Model();
        var batchSize = new Option<int?>("--batch-size") { Description = "Batch size to infer shapes for (default: the batch the model declares, else 1)." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var shape = new Option<string[]>("--shape")
        {
            Description = "Full shape of an input with free dimensions, NAME=1x3x48x320 (repeatable; overrides --batch-size for that input).",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("inspect", "Show a model's inputs, outputs, nodes with inferred shapes and parameter counts.") { model, batchSize, json, shape };
        command.SetAction((parse, cancellationToken) =>
        {
            var onnx = OnnxModel.Read(parse.GetRequiredValue(model));
            int batch = parse.GetValue(batchSize) ?? DeclaredBatch(onnx);
            if (batch < 1) throw new ModelInputException($"--batch-size must be at least 1, got {batch}");
            var given = ParseShapes(parse.GetValue(shape) ?? []);
            OnnxModelReport report;
            if (onnx.UnsupportedOperators.Count > 0) report = OnnxModelReport.Create(onnx, batch);
            else
            {
                // A free dimension nobody gave: nothing can be inferred, so the one line says which and how (exit 3).
                var shapes = onnx.ShapesFor(batch, given);
                report = OnnxModelReport.Create(onnx, shapes);
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (parse.GetValue(json)) output.WriteLine(JsonSerializer.Serialize(report, InspectJsonContext.Default.OnnxModelReport));
            else PrintText(report, output);
            // A model whose operators are all supported but whose graph cannot be built is invalid input:
            // the report above shows what was inferred up to the failing node, the error says why (exit 3).
            if (report.BuildError is not null && report.UnsupportedOperators.Count == 0) throw new OnnxModelException(report.BuildError);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>Parses <c>--shape NAME=AxBxC</c> values: positive dimensions, each name once.</summary>
    internal static Dictionary<string, int[]> ParseShapes(IReadOnlyList<string> values)
    {
        var shapes = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            int eq = value.LastIndexOf('=');
            if (eq <= 0 || eq == value.Length - 1) throw new ModelInputException($"--shape '{value}' is not NAME=AxBx... (e.g. x=1x3x48x320)");
            string name = value[..eq];
            var parts = value[(eq + 1)..].Split('x');
            var dims = new int[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) || dims[i] < 1)
                    throw new ModelInputException($"--shape '{value}': dimension '{parts[i]}' is not a whole number of at least 1");
            if (!shapes.TryAdd(name, dims)) throw new ModelInputException($"--shape gives input '{name}' twice");
        }
        return shapes;
    }

    /// <summary>The first input's declared batch dimension when it is a number, else 1.</summary>
    private static int DeclaredBatch(OnnxModel model)
        => model.Inputs.Count > 0 && model.Inputs[0].Dims is { Count: > 0 } dims && dims[0] is long d && d > 0 ? (int)d : 1;

    private static void PrintText(OnnxModelReport report, TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine($"model: {report.Path}");
        output.WriteLine($"producer: {(report.Producer.Length > 0 ? report.Producer : "unknown")}, opset {report.Opset}, {report.Nodes.Count} nodes");
        output.WriteLine("inputs:");
        foreach (var i in report.Inputs) output.WriteLine($"  {i.Name}  {i.ElementType} {i.Shape}");
        output.WriteLine("outputs:");
        foreach (var o in report.Outputs) output.WriteLine($"  {o.Name}  {o.ElementType} {o.Shape}");
        output.WriteLine($"nodes (batch size {report.BatchSize}):");
        foreach (var n in report.Nodes)
        {
            var outs = string.Join(" ", n.Outputs.Select(o => o.Shape.Count == 0 && !o.IsConstant
                ? o.Name
                : $"{o.Name}[{string.Join(",", o.Shape)}]{(o.IsConstant ? " (const)" : "")}"));
            var parameters = n.ParameterCount > 0 ? $"  params {n.ParameterCount.ToString("N0", inv)}" : "";
            output.WriteLine($"  {n.Name}  {n.OpType}  -> {outs}{parameters}");
        }
        output.WriteLine($"parameters: {report.TotalParameters.ToString("N0", inv)}");
        output.WriteLine($"unsupported operators: {(report.UnsupportedOperators.Count == 0 ? "none" : string.Join(", ", report.UnsupportedOperators))}");
        if (report.BuildError is not null && report.UnsupportedOperators.Count == 0) output.WriteLine($"shape inference failed: {report.BuildError}");
    }
}
