using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ModelAudit.Analysis;
using ModelAudit.Analysis.Attribution;
using ModelAudit.Audit.Data;
using ModelAudit.Audit.Spec;
using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Cli;

/// <summary>
/// <c>attribute MODEL --input X.npy (--target T.npy|predicted | --target-class K) --method ... --layers ... --dump DIR
/// [--target-axis A --target-reduce sum|mean|flat] [--from-layer NAME]</c>:
/// per-layer attributions as .npy, index.json and summary.json with convergence deltas.
/// </summary>
internal static class AttributeCommand
{
    public static Command Create(TextWriter output)
    {
        var model = CliOptions.Model();
        var input = CliOptions.Input();
        var target = new Option<string>("--target") { Description = "Class per sample: a .npy of integers [N], or 'predicted'." };
        var targetClass = new Option<int?>("--target-class") { Description = "One class index for every sample." };
        var method = new Option<string>("--method") { Description = "conductance, integrated-gradients or gradient-x-activation.", Required = true };
        method.AcceptOnlyFromAmong("conductance", "integrated-gradients", "gradient-x-activation");
        var integration = new Option<string>("--integration") { Description = "gausslegendre (default), riemann_trapezoid, riemann_left, riemann_right or riemann_middle.", DefaultValueFactory = _ => "gausslegendre" };
        integration.AcceptOnlyFromAmong("gausslegendre", "riemann_trapezoid", "riemann_left", "riemann_right", "riemann_middle");
        var steps = CliOptions.Int(OptionRanges.AttributionSteps, "n_steps (conductance evaluates n_steps + 1 points).");
        var baseline = new Option<string>("--baseline") { Description = "zeros (default), a number, or a .npy of one sample or one per sample.", DefaultValueFactory = _ => "zeros" };
        var internalBatch = CliOptions.Int(OptionRanges.InternalBatchSize, "Most interpolated rows per forward/backward (bounds memory); 0 = all at once.");
        var layers = CliOptions.Layers();
        var dump = CliOptions.Dump(required: true);
        var targetAxis = CliOptions.TargetAxis();
        var targetReduce = CliOptions.TargetReduce();
        var fromLayer = CliOptions.FromLayer();
        var command = new Command("attribute", "Layer conductance, integrated gradients or gradient x activation (as Captum computes them; every layer in one sweep).")
        {
            model, input, target, targetClass, method, integration, steps, baseline, internalBatch, layers, dump, targetAxis, targetReduce, fromLayer,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var session = new OnnxSession(OnnxModel.Load(parse.GetRequiredValue(model)));
            var inputPath = parse.GetRequiredValue(input);
            using var x = CliData.Input(session, inputPath);
            // The data's shape sets any free dimension (a dynamic width or sequence length).
            var adapter = ModelExecution.ForData(session, x);
            var outputTarget = CliOptions.Target(parse.GetValue(targetAxis), parse.GetValue(targetReduce)!);
            var targets = Targets(parse.GetValue(target), parse.GetValue(targetClass), session, x, outputTarget);
            var methodName = parse.GetRequiredValue(method);
            var requested = CliOptions.SplitLayers(parse.GetValue(layers));
            if (requested.Count == 0 && methodName != "integrated-gradients") throw new ModelInputException("--layers names no layer");
            var from = parse.GetValue(fromLayer);
            if (from is not null && methodName == "gradient-x-activation") throw new ModelInputException("--from-layer applies to conductance and integrated-gradients, not gradient-x-activation");
            var options = new PathIntegralOptions(IntegrationRule.ParseMethod(parse.GetValue(integration)!), parse.GetValue(steps), parse.GetValue(internalBatch),
                outputTarget, from);
            var baselineValues = Baseline(parse.GetValue(baseline)!, adapter.SampleShape, x.Shape[0], session.HasIntegerInput);

            var result = methodName switch
            {
                "conductance" => new LayerConductance(adapter, options).Compute(x, targets, baselineValues, requested, cancellationToken),
                "integrated-gradients" => new IntegratedGradients(adapter, options).Compute(x, targets, baselineValues, cancellationToken),
                _ => new GradientXActivation(adapter, options.InternalBatchSize, outputTarget).Compute(x, targets, requested, cancellationToken),
            };
            cancellationToken.ThrowIfCancellationRequested();

            var dumpDir = parse.GetRequiredValue(dump);
            using var staged = LayerDump.Stage(dumpDir, result.Layers.Select(kv => KeyValuePair.Create(kv.Key, NpyArray.FromTensor(kv.Value.Values))), cancellationToken);
            staged.AddTextFile(LayerDump.SummaryFileName, Summary(result, methodName, options));
            cancellationToken.ThrowIfCancellationRequested();
            staged.Commit();
            foreach (var (name, layer) in result.Layers)
            {
                string delta = layer.ConvergenceDelta.Length == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"  max |delta| {layer.MaxAbsDelta:G4}");
                output.WriteLine(InferCommand.Describe(name, layer.Values) + delta);
            }
            output.WriteLine($"wrote {staged.Files.Count} attributions to {dumpDir}");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static long[] Targets(string? target, int? targetClass, OnnxSession session, Tensor x, OutputTarget outputTarget)
    {
        if ((target is null) == (targetClass is null)) throw new ModelInputException("give exactly one of --target T.npy|predicted and --target-class K");
        if (targetClass is { } k) return CliData.OneClass(session, x, k, "--target-class", outputTarget);
        if (target == "predicted")
        {
            // Checks the target's axis against the output first (one line, exit 3).
            DataChecks.ClassCount(session, x.Shape, outputTarget);
            return DataChecks.Predictions(session, x, outputTarget)!;
        }
        return CliData.ClassIndices(session, x, target!, "target", outputTarget);
    }

    private static float[] Baseline(string baseline, TensorShape sampleShape, int samples, bool tokenIds)
    {
        if (baseline == "zeros") return [0f];
        if (float.TryParse(baseline, NumberStyles.Float, CultureInfo.InvariantCulture, out var scalar))
        {
            if (!float.IsFinite(scalar)) throw new ModelInputException($"--baseline must be a finite number, got {baseline}");
            if (tokenIds && (scalar != MathF.Floor(scalar) || scalar < 0 || scalar >= OnnxSession.MaxTokenId))
                throw new ModelInputException($"--baseline {baseline}: the input holds token ids, so the baseline is a token id (a whole number from 0)");
            return [scalar];
        }
        var array = DataChecks.ReadNpy(baseline);
        DataChecks.RequireFinite(array, baseline);
        var values = array.ToFloat32();
        if (values.Length != sampleShape.ElementCount && values.Length != sampleShape.ElementCount * samples)
            throw new ModelInputException($"{baseline}: expected one sample {sampleShape} or one per sample, got {array}");
        return values;
    }

    private static string Summary(AttributionResult result, string method, PathIntegralOptions options)
    {
        bool path = method != "gradient-x-activation";
        var summary = new AttributeSummaryJson(method, path ? options.Method.ToString() : null, path ? options.Steps : null, options.Target?.ToString(),
            options.FromLayer, result.TargetDifference,
            result.Layers.ToDictionary(kv => kv.Key, kv => new AttributeSummaryLayer(kv.Value.Values.Shape.ToArray(),
                kv.Value.ConvergenceDelta.Length == 0 ? null : kv.Value.MaxAbsDelta, kv.Value.ConvergenceDelta)));
        return JsonSerializer.Serialize(summary, CliJsonContext.Default.AttributeSummaryJson);
    }
}
