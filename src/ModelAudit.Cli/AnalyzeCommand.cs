using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ModelAudit.Analysis;
using ModelAudit.Analysis.Attribution;
using ModelAudit.Analysis.Information;
using ModelAudit.Audit.Data;
using ModelAudit.Audit.Spec;
using ModelAudit.Estimators;
using ModelAudit.Onnx;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Cli;

/// <summary>
/// <c>analyze MODEL --input X.npy [--labels Y.npy] [--layers ...] [--estimator renyi|...] [--json OUT.json]</c>:
/// information planes, ITE, DPI findings, layer groups and critical layers.
/// </summary>
internal static class AnalyzeCommand
{
    /// <summary>Op types whose outputs are the default layers: the activations, where representations are formed.</summary>
    private static readonly HashSet<string> ActivationOps = new(StringComparer.Ordinal) { "Relu", "LeakyRelu", "Sigmoid", "Tanh", "HardSwish", "Clip", "Elu", "Softplus" };

    public static Command Create(TextWriter output)
    {
        var model = CliOptions.Model();
        var input = CliOptions.Input();
        var labels = new Option<string>("--labels") { Description = "True class per sample (.npy, integer [N]); without it, Y is the model's prediction." };
        var layers = CliOptions.Layers();
        var estimator = new Option<string>("--estimator") { Description = "renyi (default), binning, kde, ksg or gaussian.", DefaultValueFactory = _ => "renyi" };
        estimator.AcceptOnlyFromAmong([.. MutualInformationEstimators.Names]);
        var reduction = new Option<string>("--reduction") { Description = "channel-mean (default), none or random-projection.", DefaultValueFactory = _ => "channel-mean" };
        reduction.AcceptOnlyFromAmong("channel-mean", "none", "random-projection");
        var steps = CliOptions.Int(OptionRanges.AnalysisSteps, "Conductance n_steps (0 skips the conductance plane).");
        var fromLayer = CliOptions.FromLayer();
        var internalBatch = CliOptions.Int(OptionRanges.InternalBatchSize.WithDefault(512), "Most interpolated rows per pass; 0 = all at once.");
        var resamples = CliOptions.Int(OptionRanges.Bootstrap, "Bootstrap resamples for the spread.");
        var seed = new Option<int>("--seed") { Description = "Seed of projections and resampling.", DefaultValueFactory = _ => 0 };
        var json = new Option<string>("--json") { Description = "Write the full result here." };
        var command = new Command("analyze", "Conductance-based information planes, ITE, DPI findings and layer groups.")
        {
            model, input, labels, layers, estimator, reduction, steps, internalBatch, resamples, seed, json, fromLayer,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var onnx = OnnxModel.Load(parse.GetRequiredValue(model));
            var session = new OnnxSession(onnx);
            var inputPath = parse.GetRequiredValue(input);
            using var x = CliData.Input(session, inputPath);
            long[]? y = parse.GetValue(labels) is { } labelPath ? CliData.ClassIndices(session, x, labelPath, "label") : null;
            var estimatorName = parse.GetValue(estimator)!;
            // The estimators' own sample needs, checked before any work (KSG's default k is 3).
            if (estimatorName == "ksg" && x.Shape[0] <= 3) throw new ModelInputException($"{inputPath}: --estimator ksg needs more than 3 samples, got {x.Shape[0]}");
            if (estimatorName == "gaussian")
            {
                // Y is the labels or, without them, the model's predictions: every class present needs two samples.
                if (y is not null) DataChecks.RequireSamplesPerClass(y, 2, parse.GetValue(labels)!, "--estimator gaussian");
                else if (DataChecks.Predictions(session, x) is { } predicted)
                    DataChecks.RequireSamplesPerClass(predicted, 2, inputPath, "--estimator gaussian (Y = the model's predictions)");
            }
            var requested = CliOptions.SplitLayers(parse.GetValue(layers));
            if (requested.Count == 0) requested = DefaultLayers(onnx, x.Shape.ToArray());
            int n = parse.GetValue(steps);
            var options = new InformationAnalysisOptions(
                n > 0 ? new PathIntegralOptions(Steps: n, InternalBatchSize: parse.GetValue(internalBatch), FromLayer: parse.GetValue(fromLayer)) : null,
                parse.GetValue(reduction) switch { "none" => RepresentationReduction.None, "random-projection" => RepresentationReduction.RandomProjection, _ => RepresentationReduction.ChannelMean },
                Plane: new InformationPlaneOptions(parse.GetValue(resamples), parse.GetValue(seed)),
                Seed: parse.GetValue(seed));
            var analysis = new InformationAnalysis(ModelExecution.ForData(session, x), MutualInformationEstimators.Create(parse.GetValue(estimator)!), options);
            var result = analysis.Run(x, y, requested, cancellationToken);

            PrintTable(output, result);
            if (parse.GetValue(json) is { } jsonPath)
            {
                using var staged = StagedFile.Write(jsonPath, s => JsonSerializer.Serialize(s, ToJson(result), CliJsonContext.Default.AnalyzeJson));
                cancellationToken.ThrowIfCancellationRequested();
                staged.Commit();
                output.WriteLine($"wrote {jsonPath}");
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>Activation outputs in graph order, then the model's output.</summary>
    internal static List<string> DefaultLayers(OnnxModel model, int[] inputShape)
    {
        var layers = model.Summarize(model.ShapesForData(inputShape)).Where(s => ActivationOps.Contains(s.OpType)).SelectMany(s => s.Outputs.Select(o => o.Name)).ToList();
        layers.Add(model.Outputs[0].Name);
        return layers;
    }

    private static void PrintTable(TextWriter output, InformationAnalysisResult result)
    {
        output.WriteLine($"estimator {result.Estimator}, Y = {result.LabelSource}; bits, +- bootstrap std");
        output.WriteLine($"{"layer",-44} {"group",-12} {"H(T)",7} {"I(X;T)",15} {"I(T;Y)",15} {"I(X;C)",15} {"I(C;Y)",15} {"share",6} {"E",6}");
        var groupOf = new Dictionary<int, string>();
        foreach (var g in result.Groups)
            for (int i = g.First; i < g.First + g.Count; i++) groupOf[i] = g.Name;
        for (int i = 0; i < result.Layers.Count; i++)
        {
            var l = result.Layers[i];
            var e = result.Efficiency[i];
            string share = result.ConductanceShare.TryGetValue(l.Layer, out var s) ? F(s, "F3") : "-";
            output.WriteLine($"{Shorten(l.Layer),-44} {groupOf.GetValueOrDefault(i, ""),-12} {F(l.Entropy, "F3"),7} {E(l.InputActivation),15} {E(l.ActivationLabel),15} {E(l.InputConductance),15} {E(l.ConductanceLabel),15} {share,6} {(e.Efficiency is { } ef ? F(ef, "F3") : "-"),6}");
        }
        foreach (var f in result.DpiFindings)
            output.WriteLine($"DPI: {f.Quantity} rises from {f.Earlier} ({F(f.EarlierValue, "F3")}) to {f.Later} ({F(f.LaterValue, "F3")}) by {F(f.Margin, "F3")} beyond the spread");
        foreach (var (what, layer) in result.CriticalLayers) output.WriteLine($"critical ({what}): {layer}");
        foreach (var e in result.Efficiency)
            foreach (var note in e.Notes.Where(n => n.StartsWith("saturated", StringComparison.Ordinal))) output.WriteLine($"warning: {e.Layer}: {note}");
    }

    private static AnalyzeJson ToJson(InformationAnalysisResult r) => new(r.Estimator, r.LabelSource,
        [.. r.Layers.Select((l, i) => new AnalyzeJsonLayer(l.Layer, l.Depth, l.Reduction, l.Entropy, l.InputActivation, l.ActivationLabel, l.InputConductance,
            l.ConductanceLabel, r.ConductanceShare.TryGetValue(l.Layer, out var s) ? s : null, r.Conductance?.Layers[l.Layer].MaxAbsDelta, r.Efficiency[i]))],
        r.DpiFindings, r.Groups, r.CriticalLayers);

    private static string E(Estimate? e) => e is { } v ? F(v.Value, "F3") + "+-" + F(v.Spread, "F3") : "-";

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static string Shorten(string s) => s.Length <= 44 ? s : "..." + s[^41..];
}
