using System.Diagnostics;
using System.Globalization;
using ModelAudit.Analysis;
using ModelAudit.Analysis.Attribution;
using ModelAudit.Estimators;
using ModelAudit.Graphs;
using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;

namespace ModelAudit.Nif;

/// <summary>
/// Neural information flow (Davis et al. 2019): a graph whose nodes are the input features, the units of
/// the selected layers and the output classes (the model's output logits), whose edges join units of
/// consecutive node layers that the network connects (nonzero Jacobian entry for some audit sample), and
/// whose edge flows are mutual informations between the two units' values on the audit data.
/// </summary>
public static class NifAnalysis
{
    /// <summary>The fewest audit samples an analysis accepts.</summary>
    public const int MinSamples = 5;

    /// <summary>Runs the analysis.</summary>
    /// <param name="session">The model.</param>
    /// <param name="input">Audit inputs, row-major [N, sample shape...].</param>
    /// <param name="samples">N.</param>
    /// <param name="labels">True class per sample (enables the pruning check and the attribution comparison), or null.</param>
    /// <param name="options">Layers, unit selection, edge budget, estimator and seeds.</param>
    /// <param name="cancellationToken">Checked per chunk, per backward pass, per MINE step, per KSG or binning pair, per Louvain sweep and per betweenness source.</param>
    /// <param name="progress">Called after each chunk, backward pass and layer pair, on the calling thread.</param>
    /// <exception cref="ModelInputException">Bad data, labels or layer names, or the edge bound exceeds <see cref="NifOptions.MaxEdges"/>.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; nothing is returned.</exception>
    public static NifResult Run(OnnxSession session, float[] input, int samples, int[]? labels, NifOptions options, CancellationToken cancellationToken = default,
        Action<NifProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        // KSG's 3 neighbours and MINE's shuffled marginals need a handful of samples.
        if (samples < MinSamples) throw new ModelInputException($"input: NIF needs at least {MinSamples} audit samples, got {samples}");
        var clock = Stopwatch.StartNew();
        var runner = NifSamples.Create(session, input, samples, options.SampleShape);
        var allUnits = NodeLayers(runner, options);
        int classes = allUnits[^1].Units;
        if (labels is not null)
        {
            if (labels.Length != samples) throw new ModelInputException($"labels: expected {samples} labels (one per sample), got {labels.Length}");
            for (int i = 0; i < labels.Length; i++)
                if (labels[i] < 0 || labels[i] >= classes) throw new ModelInputException($"labels: label {labels[i]} of sample {i} is outside [0, {classes})");
        }

        // The budget is checked on shapes alone, before any forward pass.
        int chunks = (samples + runner.Chunk - 1) / runner.Chunk;
        var estimate = NifEstimate.Compute([.. allUnits.Select(l => l.Units)], samples, chunks, options);
        if (estimate.EdgeUpperBound > options.MaxEdges)
            throw new ModelInputException(string.Create(CultureInfo.InvariantCulture,
                $"nif: {estimate.EdgeUpperBound:N0} edges over the budget of {options.MaxEdges:N0} (analyses.nif.max_edges / --max-edges); lower analyses.nif.max_units (--max-units, now {options.MaxUnits}) or choose fewer layers"));
        progress?.Invoke(new NifProgress
        {
            Stage = NifStage.Admitted, PairIndex = -1, PairCount = allUnits.Count - 1, Done = 0, Total = 0,
            StageElapsed = TimeSpan.Zero, Elapsed = clock.Elapsed, Estimate = estimate,
        });

        var predictions = new int[samples];
        Forward(runner, allUnits, predictions, clock, progress, cancellationToken);
        var layers = allUnits.Select(l => l.Selected(UnitSelection.HighestVariance(l, options.MaxUnits))).ToList();
        allUnits = null;
        var connected = Connectivity(runner, layers, clock, progress, cancellationToken);

        var nodeOffsets = new int[layers.Count + 1];
        for (int l = 0; l < layers.Count; l++) nodeOffsets[l + 1] = nodeOffsets[l] + layers[l].Units;
        var labelsOfNodes = new string[nodeOffsets[^1]];
        for (int l = 0; l < layers.Count; l++)
            for (int u = 0; u < layers[l].Units; u++)
                labelsOfNodes[nodeOffsets[l] + u] = l == layers.Count - 1 ? $"class[{layers[l].UnitIndex[u]}]" : $"{layers[l].Name}[{layers[l].UnitIndex[u]}]";

        var edges = new List<NifEdge>();
        var pairs = new List<NifLayerPair>();
        var flowMatrices = new List<double[][]>();
        long edgeTotal = connected.Sum(c => (long)c.Count(e => e));
        var flowClock = Stopwatch.StartNew();
        for (int l = 0; l + 1 < layers.Count; l++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (pairEdges, pair, matrix) = PairFlows(layers[l], layers[l + 1], connected[l], l, nodeOffsets, options, cancellationToken);
            edges.AddRange(pairEdges);
            pairs.Add(pair);
            flowMatrices.Add(matrix);
            progress?.Invoke(new NifProgress
            {
                Stage = NifStage.Flows, PairIndex = l, PairCount = layers.Count - 1, Done = edges.Count, Total = edgeTotal,
                StageElapsed = flowClock.Elapsed, Elapsed = clock.Elapsed, Pair = pair,
            });
        }

        var (nodes, communityCount, modularity) = GraphAnalyses(layers, nodeOffsets, labelsOfNodes, edges, options, cancellationToken);
        var dead = DeadUnits(layers, nodeOffsets, labelsOfNodes, edges, pairs);
        var attribution = FlowAttribution.Product(flowMatrices);

        NifPruning? pruning = null;
        IReadOnlyList<double> featureInformation = [];
        IReadOnlyList<NifComparison> comparisons = [];
        if (labels is not null)
        {
            pruning = PruningCheck(session, runner, layers, dead, nodeOffsets, predictions, labels, options.PrunedModelPath, cancellationToken);
            if (options.CompareAttributions)
                (featureInformation, comparisons) = Compare(session, runner, layers[0], attribution, labels, options, clock, progress, cancellationToken);
        }
        cancellationToken.ThrowIfCancellationRequested();

        return new NifResult
        {
            LayerNames = [.. layers.Select(l => l.Name)],
            SelectedUnits = [.. layers.Select(l => (IReadOnlyList<int>)l.UnitIndex)],
            LayerUnits = [.. layers.Select(l => l.TotalUnits)],
            Estimate = estimate,
            Nodes = nodes,
            Edges = edges,
            LayerPairs = pairs,
            CommunityCount = communityCount,
            Modularity = modularity,
            DeadUnits = dead,
            Attribution = attribution,
            Pruning = pruning,
            FeatureClassInformation = featureInformation,
            Comparisons = comparisons,
            Seed = options.Seed,
            Samples = samples,
        };
    }

    private static List<NodeLayer> NodeLayers(NifSamples runner, NifOptions options)
    {
        string outputName = runner.Graph.Values[runner.OutputId].Name;
        var ids = new List<(string Name, int Id)> { (runner.Graph.Values[runner.InputId].Name, runner.InputId) };
        foreach (var name in options.Layers)
        {
            int id = runner.Resolve(name);
            if (id == runner.InputId || id == runner.OutputId) continue;
            if (ids.Any(p => p.Id == id)) throw new ModelInputException($"layer '{name}' is listed twice");
            ids.Add((name, id));
        }
        ids.Add((outputName, runner.OutputId));
        var result = new List<NodeLayer>();
        foreach (var (name, id) in ids)
        {
            int units = runner.UnitCount(id);
            int spatial = runner.Graph.Values[id].Shape.ElementCount / (runner.Chunk * units);
            result.Add(new NodeLayer(name, id, units, runner.Samples) { SpatialSize = spatial });
        }
        return result;
    }

    /// <summary>
    /// One forward per chunk, keeping only the node layers' values: per unit the per-sample spatial mean and
    /// the raw-activation statistics (never a [N, C, H, W] map), and the predicted class of every sample.
    /// </summary>
    private static void Forward(NifSamples runner, List<NodeLayer> layers, int[] predictions, Stopwatch clock, Action<NifProgress>? progress,
        CancellationToken cancellationToken)
    {
        var keep = layers.Select(l => l.ValueId).Distinct().ToArray();
        int chunks = (runner.Samples + runner.Chunk - 1) / runner.Chunk, done = 0;
        var stageClock = Stopwatch.StartNew();
        runner.ForEachChunk(chunk =>
        {
            int first = chunk.First, count = chunk.Count;
            using var pass = chunk.Forward(keep);
            foreach (var layer in layers) layer.Add(pass[layer.ValueId].Span, first, count);
            var logits = pass[runner.OutputId].Span;
            int classes = layers[^1].Units;
            for (int s = 0; s < count; s++)
            {
                var row = logits.Slice(s * classes, classes);
                int best = 0;
                for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
                predictions[first + s] = best;
            }
            progress?.Invoke(new NifProgress
            {
                Stage = NifStage.Forward, PairIndex = -1, PairCount = layers.Count - 1, Done = ++done, Total = chunks,
                StageElapsed = stageClock.Elapsed, Elapsed = clock.Elapsed,
            });
        }, cancellationToken);
    }

    /// <summary>
    /// Per chunk one recorded forward, then per selected later-layer unit k one backward of sum over samples
    /// and positions of q_k to the earlier layer: i -> k is an edge iff that gradient is nonzero at selected
    /// unit i for some real sample (any position). A unit k all of whose possible edges are already found needs
    /// no more passes, and a chunk where that holds for every unit needs no forward: the cost is O(selected
    /// units) backward passes, on one chunk for the usual densely connected layers, whatever the layer widths.
    /// </summary>
    private static bool[][] Connectivity(NifSamples runner, List<NodeLayer> layers, Stopwatch clock, Action<NifProgress>? progress,
        CancellationToken cancellationToken)
    {
        int pairCount = layers.Count - 1;
        var connected = new bool[pairCount][];
        // missing[l][k]: selected earlier units not yet connected to selected later unit k.
        var missing = new int[pairCount][];
        for (int l = 0; l < pairCount; l++)
        {
            connected[l] = new bool[layers[l].Units * layers[l + 1].Units];
            missing[l] = new int[layers[l + 1].Units];
            Array.Fill(missing[l], layers[l].Units);
        }
        var keep = layers.Select(l => l.ValueId).Distinct().ToArray();
        int chunks = (runner.Samples + runner.Chunk - 1) / runner.Chunk;
        long total = layers.Skip(1).Sum(l => (long)l.Units) * chunks, done = 0;
        var stageClock = Stopwatch.StartNew();
        runner.ForEachChunk(chunk =>
        {
            int count = chunk.Count;
            if (missing.All(m => m.All(c => c == 0))) return;
            using var pass = chunk.Forward(keep, recordForBackward: true);
            for (int l = 0; l < pairCount; l++)
            {
                var from = layers[l];
                var to = layers[l + 1];
                var toShape = runner.Graph.Values[to.ValueId].Shape;
                var seed = new float[toShape.ElementCount];
                for (int k = 0; k < to.Units; k++)
                {
                    if (missing[l][k] == 0) continue;
                    cancellationToken.ThrowIfCancellationRequested();
                    int unit = to.UnitIndex[k];
                    for (int s = 0; s < runner.Chunk; s++) seed.AsSpan((s * to.TotalUnits + unit) * to.SpatialSize, to.SpatialSize).Fill(1f);
                    using (var seedTensor = Tensor.FromArray(seed, toShape.ToArray()))
                    using (var gradients = pass.Backward(new Dictionary<int, Tensor> { [to.ValueId] = seedTensor }, [from.ValueId]))
                    {
                        var g = gradients[from.ValueId].Span;
                        for (int i = 0; i < from.Units; i++)
                        {
                            ref bool edge = ref connected[l][i * to.Units + k];
                            if (edge) continue;
                            int source = from.UnitIndex[i];
                            for (int s = 0; s < count && !edge; s++)
                                edge = g.Slice((s * from.TotalUnits + source) * from.SpatialSize, from.SpatialSize).IndexOfAnyExcept(0f) >= 0;
                            if (edge) missing[l][k]--;
                        }
                    }
                    // The engine may reuse the seed's memory: start the next unit from zeros.
                    Array.Clear(seed);
                    progress?.Invoke(new NifProgress
                    {
                        Stage = NifStage.Connectivity, PairIndex = l, PairCount = pairCount, Done = ++done, Total = total,
                        StageElapsed = stageClock.Elapsed, Elapsed = clock.Elapsed,
                    });
                }
            }
        }, cancellationToken);
        return connected;
    }

    private static (List<NifEdge> Edges, NifLayerPair Pair, double[][] Matrix) PairFlows(NodeLayer from, NodeLayer to, bool[] connected, int l,
        int[] nodeOffsets, NifOptions options, CancellationToken cancellationToken)
    {
        var all = new List<(int I, int K)>();
        for (int i = 0; i < from.Units; i++)
            for (int k = 0; k < to.Units; k++)
                if (connected[i * to.Units + k]) all.Add((i, k));
        var kind = options.Estimator == FlowEstimator.Auto
            ? (all.Count <= options.MaxMineEdges ? FlowEstimator.Mine : FlowEstimator.Ksg)
            : options.Estimator;
        var estimator = new PairEstimator(kind, options.Mine);
        // MI with a constant is 0: such edges are not estimated.
        var estimable = all.Where(e => !from.IsConstant(e.I) && !to.IsConstant(e.K)).ToList();
        int seed = unchecked(options.Seed * 1000003 + l);
        int nulls = Math.Min(options.NullPairs, estimable.Count);
        var xs = new List<float[]>();
        var ys = new List<float[]>();
        foreach (var (i, k) in estimable)
        {
            xs.Add(from.Columns[i]);
            ys.Add(to.Columns[k]);
        }
        // Null pairs: evenly spaced edges with the later unit's samples permuted (independent by construction).
        var random = new Random(seed);
        for (int j = 0; j < nulls; j++)
        {
            var (i, k) = estimable[(int)((long)j * estimable.Count / nulls)];
            var permuted = (float[])to.Columns[k].Clone();
            random.Shuffle(permuted);
            xs.Add(from.Columns[i]);
            ys.Add(permuted);
        }
        var estimates = estimator.Estimate(xs, ys, seed, cancellationToken);
        double floor = 0;
        for (int j = 0; j < nulls; j++) floor = Math.Max(floor, estimates[estimable.Count + j]);

        var redundancy = new double[from.Units];
        if (options.Beta != 0) redundancy = Redundancy(from, estimator, seed + 1, cancellationToken);

        var mi = new Dictionary<(int, int), double>();
        for (int e = 0; e < estimable.Count; e++) mi[estimable[e]] = estimates[e];
        var matrix = new double[from.Units][];
        for (int i = 0; i < from.Units; i++) matrix[i] = new double[to.Units];
        var edges = new List<NifEdge>();
        int clipped = 0;
        foreach (var (i, k) in all)
        {
            double information = mi.TryGetValue((i, k), out var v) ? v : 0;
            double raw = information - options.Beta * redundancy[i];
            if (raw < 0) clipped++;
            double flow = Math.Max(0, raw);
            matrix[i][k] = flow;
            edges.Add(new NifEdge(nodeOffsets[l] + i, nodeOffsets[l + 1] + k, information, flow, flow > floor));
        }
        return (edges, new NifLayerPair(l, l + 1, estimator.Name, all.Count, estimable.Count, floor, clipped), matrix);
    }

    /// <summary>R_i = sum over j &lt; i of I(x_i; x_j) among the earlier layer's units (0 for constant units).</summary>
    private static double[] Redundancy(NodeLayer layer, PairEstimator estimator, int seed, CancellationToken cancellationToken)
    {
        var pairs = new List<(int I, int J)>();
        for (int i = 0; i < layer.Units; i++)
            for (int j = 0; j < i; j++)
                if (!layer.IsConstant(i) && !layer.IsConstant(j)) pairs.Add((i, j));
        var estimates = estimator.Estimate([.. pairs.Select(p => layer.Columns[p.I])], [.. pairs.Select(p => layer.Columns[p.J])], seed, cancellationToken);
        var r = new double[layer.Units];
        for (int e = 0; e < pairs.Count; e++) r[pairs[e].I] += Math.Max(0, estimates[e]);
        return r;
    }

    private static (List<NifNode> Nodes, int Communities, double Modularity) GraphAnalyses(List<NodeLayer> layers, int[] nodeOffsets, string[] labels,
        List<NifEdge> edges, NifOptions options, CancellationToken cancellationToken)
    {
        int count = labels.Length;
        var builder = new WeightedDigraphBuilder(labels);
        foreach (var e in edges)
            if (e.Flow > 0) builder.Add(e.From, e.To, e.Flow);
        var graph = builder.Build();
        var betweenness = new BetweennessCentrality(graph, options.Length);
        betweenness.Compute(cancellationToken);
        int[] community;
        double modularity;
        if (graph.EdgeCount == 0)
        {
            community = [.. Enumerable.Range(0, count)];
            modularity = double.NaN;
        }
        else
        {
            var louvain = new LouvainCommunities(graph, options.Resolution, seed: options.Seed);
            louvain.Compute(cancellationToken);
            community = louvain.Communities;
            modularity = Modularity.Compute(graph, community, options.Resolution, directed: false);
        }
        var inFlow = new double[count];
        var outFlow = new double[count];
        foreach (var e in edges)
        {
            outFlow[e.From] += e.Flow;
            inFlow[e.To] += e.Flow;
        }
        var nodes = new List<NifNode>(count);
        for (int l = 0; l < layers.Count; l++)
            for (int u = 0; u < layers[l].Units; u++)
            {
                int id = nodeOffsets[l] + u;
                nodes.Add(new NifNode(id, labels[id], l, layers[l].Name, layers[l].UnitIndex[u], betweenness.Values[id], community[id], inFlow[id], outFlow[id]));
            }
        return (nodes, community.Distinct().Count(), modularity);
    }

    /// <summary>
    /// Units of the selected layers (not the input or the classes) that are dead (constant activation) or
    /// stifled (no incoming, or no outgoing, edge whose flow exceeds the layer pair's noise floor).
    /// </summary>
    private static List<NifDeadUnit> DeadUnits(List<NodeLayer> layers, int[] nodeOffsets, string[] labels, List<NifEdge> edges, List<NifLayerPair> pairs)
    {
        var aboveIn = new bool[labels.Length];
        var aboveOut = new bool[labels.Length];
        foreach (var e in edges)
        {
            if (!e.AboveNoiseFloor) continue;
            aboveOut[e.From] = true;
            aboveIn[e.To] = true;
        }
        var result = new List<NifDeadUnit>();
        for (int l = 1; l + 1 < layers.Count; l++)
        {
            var layer = layers[l];
            for (int u = 0; u < layer.Units; u++)
            {
                int id = nodeOffsets[l] + u;
                bool constant = layer.IsConstant(u);
                if (!constant && aboveIn[id] && aboveOut[id]) continue;
                double elements = layer.ElementCount;
                result.Add(new NifDeadUnit(id, labels[id], constant ? "dead" : "stifled", layer.ZeroCount[u] / elements, layer.Sum[u] / elements, layer.Max[u]));
            }
        }
        return result;
    }

    private static NifPruning PruningCheck(OnnxSession session, NifSamples runner, List<NodeLayer> layers, List<NifDeadUnit> dead, int[] nodeOffsets,
        int[] predictions, int[] labels, string? prunedModelPath, CancellationToken cancellationToken)
    {
        double before = Accuracy(predictions, labels);
        var units = new List<(string Layer, int Unit, string Label)>();
        foreach (var d in dead)
        {
            int l = Array.FindLastIndex(nodeOffsets, o => o <= d.Node);
            units.Add((layers[l].Name, layers[l].UnitIndex[d.Node - nodeOffsets[l]], d.Label));
        }
        if (units.Count == 0)
        {
            if (prunedModelPath is not null) InitializerRewrite.Write(session.Model.Path, prunedModelPath, []);
            return new NifPruning([], before, before, 0, []);
        }
        var (graph, zeroed, skipped, changes) = UnitPruning.Prune(session.Model.Path, [runner.Chunk, .. runner.SampleShape], units,
            recordChanges: prunedModelPath is not null);
        if (prunedModelPath is not null) InitializerRewrite.Write(session.Model.Path, prunedModelPath, changes);
        var executor = new GraphExecutor(graph);
        var after = new int[runner.Samples];
        int classes = layers[^1].Units;
        runner.ForEachChunk(chunk =>
        {
            int first = chunk.First, count = chunk.Count;
            using var pass = executor.Forward(new Dictionary<int, Tensor> { [graph.Inputs[0]] = chunk.Batch }, new ForwardOptions());
            var logits = pass[graph.Outputs[0]].Span;
            for (int s = 0; s < count; s++)
            {
                var row = logits.Slice(s * classes, classes);
                int best = 0;
                for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
                after[first + s] = best;
            }
        }, cancellationToken);
        return new NifPruning([.. units.Select(u => u.Label)], before, Accuracy(after, labels), zeroed, skipped);
    }

    private static double Accuracy(int[] predictions, int[] labels)
    {
        int correct = 0;
        for (int i = 0; i < labels.Length; i++) if (predictions[i] == labels[i]) correct++;
        return (double)correct / labels.Length;
    }

    /// <summary>
    /// Per input feature: NIF attribution (row sums of A), raw I(x_i; class) by KSG, and the mean absolute
    /// integrated gradient of the true class (summed over positions for maps). Each is normalised to sum 1,
    /// and NIF and integrated gradients are each compared with raw MI by the two-sample KS test.
    /// </summary>
    private static (double[] Information, List<NifComparison> Comparisons) Compare(OnnxSession session, NifSamples runner, NodeLayer inputs,
        double[][] attribution, int[] labels, NifOptions options, Stopwatch clock, Action<NifProgress>? progress, CancellationToken cancellationToken)
    {
        var ksg = new KsgEstimator(new KsgOptions(Seed: options.Seed));
        var information = new double[inputs.Units];
        for (int i = 0; i < inputs.Units; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            information[i] = inputs.IsConstant(i) ? 0 : Math.Max(0, ksg.MutualInformation(new SampleMatrix(inputs.Columns[i], runner.Samples, 1), labels));
        }
        var nif = attribution.Select(row => row.Sum()).ToArray();
        var ig = IntegratedGradientsPerFeature(session, runner, inputs, labels, options, clock, progress, cancellationToken);
        var reference = Normalised(information);
        var comparisons = new List<NifComparison>();
        foreach (var (method, values) in new[] { ("nif", Normalised(nif)), ("integrated-gradients", Normalised(ig)) })
        {
            var (d, p) = KolmogorovSmirnov.TwoSample(values, reference);
            comparisons.Add(new NifComparison(method, d, p, values));
        }
        return (information, comparisons);
    }

    private static double[] IntegratedGradientsPerFeature(OnnxSession session, NifSamples runner, NodeLayer inputs, int[] labels, NifOptions options,
        Stopwatch clock, Action<NifProgress>? progress, CancellationToken cancellationToken)
    {
        int chunks = (runner.Samples + runner.Chunk - 1) / runner.Chunk, done = 0;
        var stageClock = Stopwatch.StartNew();
        // One path point per pass over a chunk of samples: memory stays bounded by the chunk size.
        var model = runner.Model;
        var ig = new IntegratedGradients(model, new PathIntegralOptions(IntegrationMethod.GaussLegendre, options.IntegratedGradientSteps, runner.Chunk));
        var totals = new double[inputs.Units];
        runner.ForEachChunk(chunk =>
        {
            int first = chunk.First, count = chunk.Count;
            var targets = new long[runner.Chunk];
            for (int s = 0; s < runner.Chunk; s++) targets[s] = labels[first + Math.Min(s, count - 1)];
            var result = ig.Compute(chunk.Batch, targets, [0f], cancellationToken);
            var values = result.Layers[model.InputName].Values.Span;
            for (int s = 0; s < count; s++)
                for (int i = 0; i < inputs.Units; i++)
                {
                    var block = values.Slice((s * inputs.TotalUnits + inputs.UnitIndex[i]) * inputs.SpatialSize, inputs.SpatialSize);
                    foreach (var v in block) totals[i] += Math.Abs(v);
                }
            progress?.Invoke(new NifProgress
            {
                Stage = NifStage.Attribution, PairIndex = -1, PairCount = 0, Done = ++done, Total = chunks,
                StageElapsed = stageClock.Elapsed, Elapsed = clock.Elapsed,
            });
        }, cancellationToken);
        for (int i = 0; i < totals.Length; i++) totals[i] /= runner.Samples;
        return totals;
    }

    private static double[] Normalised(double[] values)
    {
        double sum = values.Sum();
        return sum > 0 ? [.. values.Select(v => v / sum)] : values;
    }

    /// <summary>
    /// The audit samples on the model: chunks of one graph batch size from <see cref="ModelExecution.ChunkRows"/> (dimension 0 of the
    /// input is the batch whatever the export declared), the short last chunk padded by repeating its last sample.
    /// </summary>
    private sealed class NifSamples
    {
        private NifSamples(ModelExecution model, float[] data, int samples)
        {
            Model = model;
            Data = data;
            Samples = samples;
            Chunk = model.ChunkRows(samples);
            var plan = model.GetPlan(Chunk);
            Plan = plan;
            InputId = plan.Graph.Inputs[0];
            OutputId = plan.Graph.Outputs[0];
        }

        public static NifSamples Create(OnnxSession session, float[] data, int samples, IReadOnlyList<int>? sampleShape)
        {
            ArgumentNullException.ThrowIfNull(data);
            if (sampleShape is null)
            {
                var dims = session.Input.Dims ?? throw new ModelInputException($"{session.Model.Path}: input '{session.Input.Name}' declares no shape");
                if (dims.Skip(1).Any(d => d is null))
                    throw new ModelInputException($"{session.Model.Path}: input '{session.Input.Name}' {session.Input.FormatShape()} has free dimensions after the batch; give the data's sample shape");
            }
            var model = new ModelExecution(session, sampleShape is null ? null : new TensorShape([.. sampleShape]));
            if (samples < 1 || data.Length != (long)samples * model.SampleSize)
                throw new ModelInputException($"input: expected [N,{string.Join(",", model.SampleShape.ToArray())}] with N >= 1, got {data.Length} values for {samples} samples");
            return new NifSamples(model, data, samples);
        }

        public ModelExecution Model { get; }

        public float[] Data { get; }

        public int Samples { get; }

        /// <summary>Rows per graph run.</summary>
        public int Chunk { get; }

        public ModelPlan Plan { get; }

        public ComputeGraph Graph => Plan.Graph;

        public int InputId { get; }

        public int OutputId { get; }

        public int[] SampleShape => Model.SampleShape.ToArray();

        /// <summary>The value id of a layer name; unknown names fail with close matches.</summary>
        public int Resolve(string name) => Model.Resolve(Plan, name);

        /// <summary>Runs <paramref name="body"/> on every chunk (cancellation checked before each, memory released after each).</summary>
        public void ForEachChunk(Action<ModelChunk> body, CancellationToken cancellationToken)
            => Model.ForEachChunk(Data, 0, Samples, Chunk, ChunkPadding.RepeatLastSample, body, null, cancellationToken);

        /// <summary>Units of a layer value: dimension 1 (features, or channels of a [N, C, ...] map).</summary>
        public int UnitCount(int valueId)
        {
            var shape = Graph.Values[valueId].Shape;
            if (shape.Rank < 2 || shape[0] != Chunk)
                throw new ModelInputException($"layer '{Graph.Values[valueId].Name}' has shape {shape}; NIF needs [N, units] or [N, channels, ...] with N = {Chunk}");
            return shape[1];
        }
    }
}
