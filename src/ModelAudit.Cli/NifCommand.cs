using System.CommandLine;
using System.Globalization;
using ModelAudit.Graphs;
using ModelAudit.Nif;
using ModelAudit.Onnx;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Cli;

/// <summary>
/// <c>nif MODEL.onnx --input X.npy --labels Y.npy --layers A,B [--estimator auto|mine|ksg|binning] [--beta 0]
/// [--resolution 1.0] [--seed 0] [--max-units 32] [--max-edges 20000] --json OUT.json [--graphml OUT.graphml] [--pruned-model OUT.onnx]</c>.
/// Prints the up-front estimate, then a line per finished layer pair with the elapsed time and the ETA.
/// </summary>
internal static class NifCommand
{
    public static Command Create(TextWriter output)
    {
        var model = CliOptions.Model();
        var input = CliOptions.Input();
        var labels = new Option<string>("--labels") { Description = "True class per sample (.npy, integer, shape [N]).", Required = true };
        var layers = CliOptions.Layers();
        layers.Description = "Hidden layers whose units become nodes (ONNX tensor names, comma-separated, in network order); the input features and output classes are always nodes.";
        var estimator = new Option<string>("--estimator") { Description = "Edge-flow estimator: auto (MINE up to 4096 edges per layer pair, else KSG), mine, ksg, binning.", DefaultValueFactory = _ => "auto" };
        estimator.AcceptOnlyFromAmong("auto", "mine", "ksg", "binning");
        var beta = new Option<double>("--beta") { Description = "Redundancy weight: flow = I(x_i;q_k) - beta * sum_{j<i} I(x_i;x_j).", DefaultValueFactory = _ => 0.0 };
        var resolution = new Option<double>("--resolution") { Description = "Louvain resolution.", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<int>("--seed") { Description = "Seed of MINE, null pairs and Louvain.", DefaultValueFactory = _ => 0 };
        var length = new Option<string>("--length") { Description = "Betweenness edge length: inverse (1/flow) or neglog (-log(flow/max)).", DefaultValueFactory = _ => "inverse" };
        length.AcceptOnlyFromAmong("inverse", "neglog");
        var maxUnits = new Option<int>("--max-units")
        {
            Description = $"Nodes per layer at most (input features, each layer, classes): the units whose per-sample value varies most; 0 = every unit.",
            DefaultValueFactory = _ => NifOptions.DefaultMaxUnits,
        };
        var maxEdges = new Option<long>("--max-edges")
        {
            Description = "Edge budget: refuse, before any work, a run whose edge upper bound (selected units of each layer x those of the next, summed) is larger.",
            DefaultValueFactory = _ => NifOptions.DefaultMaxEdges,
        };
        var json = new Option<string>("--json") { Description = "Write the result here (.json).", Required = true };
        var graphml = new Option<string>("--graphml") { Description = "Also write the flow graph as GraphML." };
        var pruned = new Option<string>("--pruned-model") { Description = "Also write the model with the dead and stifled units pruned (.onnx)." };
        var command = new Command("nif", "Neural information flow: MINE edge flows between layers, betweenness, communities, attribution and a pruning check.")
        {
            model, input, labels, layers, estimator, beta, resolution, seed, length, maxUnits, maxEdges, json, graphml, pruned,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var session = new OnnxSession(OnnxModel.Load(parse.GetRequiredValue(model)));
            var inputPath = parse.GetRequiredValue(input);
            var x = CliData.Input(session, inputPath);
            int samples = x.Shape[0];
            var labelPath = parse.GetRequiredValue(labels);
            // The one label loader: integers, one per sample, each inside the model's classes (file, sample and range named).
            var classLabels = CliData.ClassIndices(session, x, labelPath, "label").Select(v => (int)v).ToArray();
            double betaValue = parse.GetValue(beta), resolutionValue = parse.GetValue(resolution);
            if (!double.IsFinite(betaValue) || betaValue < 0) throw new ModelInputException($"--beta must be a finite number >= 0, got {betaValue.ToString(CultureInfo.InvariantCulture)}");
            if (!double.IsFinite(resolutionValue) || resolutionValue <= 0) throw new ModelInputException($"--resolution must be a finite number > 0, got {resolutionValue.ToString(CultureInfo.InvariantCulture)}");
            int maxUnitsValue = parse.GetValue(maxUnits);
            long maxEdgesValue = parse.GetValue(maxEdges);
            if (maxUnitsValue < 0) throw new ModelInputException($"--max-units must be >= 0 (0 = every unit), got {maxUnitsValue.ToString(CultureInfo.InvariantCulture)}");
            if (maxEdgesValue < 1) throw new ModelInputException($"--max-edges must be >= 1, got {maxEdgesValue.ToString(CultureInfo.InvariantCulture)}");
            var options = new NifOptions
            {
                Layers = CliOptions.SplitLayers(parse.GetValue(layers)),
                Estimator = parse.GetValue(estimator) switch
                {
                    "mine" => FlowEstimator.Mine,
                    "ksg" => FlowEstimator.Ksg,
                    "binning" => FlowEstimator.Binning,
                    _ => FlowEstimator.Auto,
                },
                Beta = betaValue,
                Resolution = resolutionValue,
                Seed = parse.GetValue(seed),
                Length = parse.GetValue(length) == "neglog" ? EdgeLength.NegativeLogNormalized : EdgeLength.InverseWeight,
                MaxUnits = maxUnitsValue,
                MaxEdges = maxEdgesValue,
            };
            var prunedPath = parse.GetValue(pruned);
            var jsonPath = parse.GetRequiredValue(json);
            var graphmlPath = parse.GetValue(graphml);
            // Every file is written under a temporary name and renamed into place (the pruned model by the analysis).
            var inv = CultureInfo.InvariantCulture;
            var result = NifAnalysis.Run(session, x.ToArray(), samples, classLabels, options with { PrunedModelPath = prunedPath, SampleShape = x.Shape.Dims[1..].ToArray() }, cancellationToken,
                p => WriteProgress(output, p));
            cancellationToken.ThrowIfCancellationRequested();
            using var jsonStage = StagedFile.Write(jsonPath, s => NifReport.WriteJson(s, result, session.Model.Path));
            using var graphStage = graphmlPath is null ? null : StagedFile.Write(graphmlPath, s => NifReport.WriteGraphMl(s, result));
            cancellationToken.ThrowIfCancellationRequested();
            jsonStage.Commit();
            graphStage?.Commit();

            foreach (var p in result.LayerPairs)
                output.WriteLine($"{result.LayerNames[p.From]} -> {result.LayerNames[p.To]}: {p.Edges} edges, {p.Estimator}, noise floor {p.NoiseFloor.ToString("F4", inv)} bits, {p.ClippedCount} clipped");
            output.WriteLine($"{result.CommunityCount} communities, modularity {(double.IsNaN(result.Modularity) ? "n/a" : result.Modularity.ToString("F4", inv))}");
            output.WriteLine($"{result.DeadUnits.Count} dead or stifled units");
            if (result.Pruning is { } pr)
                output.WriteLine($"pruning {pr.PrunedUnits.Count} units: accuracy {pr.AccuracyBefore.ToString("F4", inv)} -> {pr.AccuracyAfter.ToString("F4", inv)}");
            output.WriteLine($"wrote {jsonPath}" + (graphmlPath is null ? "" : $", {graphmlPath}") + (prunedPath is null ? "" : $", {prunedPath}"));
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>One line when the forward pass and the connectivity search start and when each layer pair's flows are done.</summary>
    private static void WriteProgress(TextWriter output, NifProgress p)
    {
        var inv = CultureInfo.InvariantCulture;
        string Seconds(TimeSpan t) => t.TotalSeconds.ToString("F1", inv) + " s";
        switch (p.Stage)
        {
            case NifStage.Admitted when p.Estimate is { } estimate:
                output.WriteLine($"nif: {estimate.Describe()}");
                break;
            case NifStage.Forward when p.Done == p.Total:
                output.WriteLine($"nif: forward over {p.Total} chunks done, {Seconds(p.Elapsed)} elapsed");
                break;
            case NifStage.Connectivity when p.Done == 1:
                output.WriteLine($"nif: connectivity: at most {p.Total.ToString("N0", inv)} backward passes");
                break;
            case NifStage.Attribution:
                output.WriteLine($"nif: attribution comparison (integrated gradients): chunk {p.Done}/{p.Total}, {Seconds(p.Elapsed)} elapsed, ETA {(p.Remaining is { } left ? Seconds(left) : "n/a")}");
                break;
            case NifStage.Flows when p.Pair is { } pair:
                string eta = p.Remaining is { } r ? Seconds(r) : "n/a";
                output.WriteLine($"nif: pair {p.PairIndex + 1}/{p.PairCount}: {pair.Edges.ToString("N0", inv)} edges ({pair.Estimator}), "
                    + $"{p.Done.ToString("N0", inv)}/{p.Total.ToString("N0", inv)} edges done, {Seconds(p.Elapsed)} elapsed, ETA {eta}");
                break;
        }
    }
}
