using ModelAudit.Audit.Metrics;
using ModelAudit.Audit.Running;
using ModelAudit.Audit.Yaml;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Audit.Spec;

/// <summary>
/// Loads an audit spec strictly: unknown keys, unknown enum values, duplicate keys, wrong types, missing
/// required keys and gate metrics that no configured analysis produces are <see cref="AuditSpecException"/>s
/// with the line and column, raised before anything is computed. Relative paths resolve against the spec's folder.
/// </summary>
public static class AuditSpecLoader
{
    /// <summary>Top-level keys, in documentation order.</summary>
    internal static readonly string[] TopLevelKeys = ["model", "seed", "data", "layers", "analyses", "gates", "baseline", "outputs"];

    /// <summary>Loads and validates <paramref name="path"/>.</summary>
    /// <exception cref="AuditSpecException">The spec is invalid.</exception>
    public static AuditSpec Load(string path) => Load(path, AuditStepRegistry.Default);

    internal static AuditSpec Load(string path, AuditStepRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = RegularFile.ReadAllBytes(path, MaxSpecBytes, problem => new AuditSpecException(path, new SourceMark(1, 1),
            problem == "file not found" ? "the spec file does not exist" : problem));
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw new AuditSpecException(path, new SourceMark(1, 1), $"the spec is not valid UTF-8 (byte {e.Index} of the first bad sequence)");
        }
        return Parse(text.TrimStart('\uFEFF'), path, registry);
    }

    /// <summary>The largest spec file read (1 MiB); real specs are a few kilobytes.</summary>
    public const int MaxSpecBytes = 1 << 20;

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Parses spec text; <paramref name="file"/> names it in errors and anchors relative paths.</summary>
    internal static AuditSpec Parse(string text, string file, AuditStepRegistry registry)
    {
        var root = YamlTreeReader.Read(text, file) ?? throw new AuditSpecException(file, new SourceMark(1, 1), "the spec is empty; it needs at least model, data and analyses");
        var folder = Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".";
        var top = new SpecMapping(file, "", root);
        foreach (var key in TopLevelKeys) top.Allow(key);
        top.Finish();

        string model = ResolvePath(top, "model", folder);
        int seed = top.Int(OptionRanges.Seed);
        var data = ReadData(top, folder);
        var layers = ReadLayers(top);
        var steps = ReadAnalyses(top, registry);
        var catalog = Catalog(steps, data);
        var gates = ReadGates(top, catalog);
        var baseline = top.Value("baseline") is null ? null : ResolvePath(top, "baseline", folder);
        var outputs = ReadOutputs(top, folder);
        data = data with { Requirements = [.. steps.Select(s => s.Options).OfType<ISampleRequirement>().SelectMany(r => r.Requirements(file))] };
        return new AuditSpec(file, model, seed, data, layers, steps, gates, baseline, outputs);
    }

    /// <summary>Every metric family the configured analyses produce, by name.</summary>
    internal static Dictionary<string, MetricDefinition> Catalog(IReadOnlyList<ConfiguredStep> steps, DataSpec data)
    {
        var configured = steps.Select(s => s.Step.Key).ToList();
        var catalog = new Dictionary<string, MetricDefinition>(StringComparer.Ordinal);
        if (!data.PredictedLabels) catalog["accuracy"] = new MetricDefinition("accuracy", false, "fraction of samples whose predicted class is the label");
        foreach (var step in steps)
            foreach (var m in step.Step.Produces(step.Options, configured)) catalog[m.Family] = m;
        return catalog;
    }

    private static string ResolvePath(string folder, string path) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(folder, path));

    /// <summary>A path from the spec resolved against its folder; a path no file system accepts is an error at its node.</summary>
    private static string ResolvePath(SpecMapping map, string key, string folder)
    {
        var node = map.Required(key);
        var text = map.ScalarText(node, map.Child(key));
        if (text.Length == 0) throw map.Error(node, $"'{map.Child(key)}' is an empty path");
        if (text.Contains('\0', StringComparison.Ordinal)) throw map.Error(node, $"'{map.Child(key)}' contains a NUL character: '{SpecMapping.Clip(text)}'");
        try
        {
            return ResolvePath(folder, text);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw map.Error(node, $"'{map.Child(key)}' is not a usable path: '{SpecMapping.Clip(text)}'");
        }
    }

    private static DataSpec ReadData(SpecMapping top, string folder)
    {
        var data = new SpecMapping(top.File, "data", top.Required("data"));
        var inputsNode = data.Required("inputs");
        var inputs = ResolvePath(data, "inputs", folder);
        var extension = Path.GetExtension(inputs).ToLowerInvariant();
        if (extension is not (".npy" or ".npz" or ".csv"))
            throw data.Error(inputsNode, $"'data.inputs' must be a .npy, .npz or .csv file, got '{SpecMapping.Clip(Path.GetFileName(inputs))}'");
        var key = data.String("key");
        if (key is not null && extension != ".npz") throw data.Error(data.Required("key"), "'data.key' applies only to .npz inputs");
        var labelsText = data.String("labels");
        var labelColumn = data.String("label_column");
        bool header = data.Bool("header") ?? true;
        if (extension != ".csv" && data.Has("header")) throw data.Error(data.Required("header"), "'data.header' applies only to .csv inputs");
        if (labelColumn is not null && extension != ".csv") throw data.Error(data.Required("label_column"), "'data.label_column' applies only to .csv inputs");
        if (labelColumn is not null && labelsText is not null) throw data.Error(data.Required("labels"), "give 'data.labels' or 'data.label_column', not both");
        if (labelColumn is null && labelsText is null)
            throw data.Error(data.Node, "'data.labels' is required: a .npy file of class indices or 'predicted'" + (extension == ".csv" ? " (or give data.label_column)" : ""));
        bool predicted = labelsText == "predicted";
        string? labels = predicted || labelsText is null ? null : ResolvePath(data, "labels", folder);
        if (labels is not null && !labels.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            throw data.Error(data.Required("labels"), $"'data.labels' must be a .npy file or 'predicted', got '{SpecMapping.Clip(labelsText!)}'");
        int? samples = data.Int("samples", OptionRanges.Samples);
        var pre = new Preprocessing(1, [], []);
        if (data.Mapping("preprocessing") is { } p)
        {
            pre = new Preprocessing(p.Double("scale", OptionRanges.Value) ?? 1, Numbers(p, "mean", OptionRanges.Value), Numbers(p, "std", OptionRanges.Std));
            p.Finish();
        }
        data.Finish();
        return new DataSpec(inputs, key, labels, labelColumn, predicted, header, samples, pre);
    }

    private static List<double> Numbers(SpecMapping map, string key, DoubleOption range)
    {
        if (map.Value(key) is not { } node) return [];
        if (node is YamlScalarValue) return [map.ParseDouble(node, map.Child(key), range)];
        var items = map.Sequence(key)!;
        if (items.Count > MaxChannels) throw map.Error(node, $"'{map.Child(key)}' has {items.Count} values; at most {MaxChannels} channels are supported");
        return [.. items.Select((n, i) => map.ParseDouble(n, $"{map.Child(key)}[{i}]", range))];
    }

    /// <summary>The most per-channel values of preprocessing.</summary>
    private const int MaxChannels = 65_536;


    private static LayerSelection ReadLayers(SpecMapping top)
    {
        var node = top.Value("layers");
        if (node is null) return new LayerSelection(true, []);
        if (node is YamlScalarValue s)
        {
            top.EnumValue(s, "layers", ["auto"]);
            return new LayerSelection(true, []);
        }
        var items = top.Sequence("layers")!;
        if (items.Count == 0) throw top.Error(node, "'layers' is an empty list; write auto or list tensor names, globs or op:TYPE");
        var entries = items.Select((n, i) => new LayerEntry(top.ScalarText(n, $"layers[{i}]"), n.Mark)).ToList();
        foreach (var e in entries)
            if (e.Pattern.StartsWith("op:", StringComparison.Ordinal) && e.Pattern.Length == 3)
                throw new AuditSpecException(top.File, e.Mark, "'op:' needs an op type, e.g. op:Relu");
        return new LayerSelection(false, entries);
    }

    private static List<ConfiguredStep> ReadAnalyses(SpecMapping top, AuditStepRegistry registry)
    {
        var analyses = new SpecMapping(top.File, "analyses", top.Required("analyses"));
        var given = analyses.Node.Entries.Select(e => e.Key.Text).ToList();
        var known = registry.Steps.Select(s => s.Key).ToList();
        foreach (var k in known) analyses.Allow(k);
        analyses.Finish();
        if (given.Count == 0) throw analyses.Error(analyses.Node, $"'analyses' names no analysis; choose from {string.Join(", ", known)}");
        var configured = given.Where(k => analyses.Value(k) is not YamlScalarValue { Text: "false" }).ToList();
        var steps = new List<ConfiguredStep>();
        foreach (var step in registry.Steps)
        {
            if (!configured.Contains(step.Key)) continue;
            var node = analyses.Value(step.Key) ?? new YamlMappingValue(analyses.Node.Entries.First(e => e.Key.Text == step.Key).Key.Mark, []);
            if (node is YamlScalarValue { Text: "true" }) node = new YamlMappingValue(node.Mark, []);
            var options = new SpecMapping(top.File, "analyses." + step.Key, node);
            // Every output the step reads needs an earlier configured producer; the registry guarantees one exists and runs first.
            foreach (var read in step.Reads)
                if (!steps.Any(s => s.Step.Output == read))
                {
                    var producer = registry.Producer(read);
                    throw options.Error(node, $"'analyses.{step.Key}' needs 'analyses.{producer.Key}' ({step.Key} reads the {read.Name} that {producer.Key} produces)");
                }
            steps.Add(new ConfiguredStep(step, step.Parse(options, configured), node.Mark));
        }
        return steps;
    }

    private static List<GateSpec> ReadGates(SpecMapping top, Dictionary<string, MetricDefinition> catalog)
    {
        var gates = new List<GateSpec>();
        var items = top.Sequence("gates");
        if (items is null) return gates;
        for (int i = 0; i < items.Count; i++)
        {
            var g = new SpecMapping(top.File, $"gates[{i}]", items[i]);
            var metricNode = g.Required("metric");
            var metricText = g.RequiredString("metric");
            var metric = MetricExpression.TryParse(metricText, out var syntaxError) ?? throw g.Error(metricNode, syntaxError);
            if (g.Enum("aggregate", "min", "max", "mean") is { } aggText)
            {
                if (metric.Aggregate is not null) throw g.Error(g.Required("aggregate"), $"'{metricText}' already names an aggregate; remove 'aggregate'");
                metric = metric with { Aggregate = MetricExpression.ParseAggregate(aggText) };
            }
            if (!catalog.TryGetValue(metric.Family, out var definition))
            {
                var known = string.Join(", ", catalog.Keys.Order(StringComparer.Ordinal));
                throw g.Error(metricNode, $"no configured analysis produces metric '{metric.Family}'; available: {known}");
            }
            if (definition.PerLayer && metric.Selector is null)
                throw g.Error(metricNode, $"'{metric.Family}' is per layer; add a selector: {metric.Family}[LAYER], {metric.Family}[/glob/*] with an aggregate, or min({metric.Family}[*])");
            if (!definition.PerLayer && metric.Selector is not null)
                throw g.Error(metricNode, $"'{metric.Family}' is not per layer; remove the selector [{metric.Selector}]");
            if (metric.IsGlob && metric.Aggregate is null)
                throw g.Error(metricNode, $"the selector [{metric.Selector}] can match several layers; give an aggregate: aggregate: min|max|mean, or min({metricText})");
            var direction = g.Enum("direction", "higher_is_better", "lower_is_better")
                ?? throw g.Error(g.Node, $"'gates[{i}].direction' is required: higher_is_better or lower_is_better");
            double? min = g.Double("min", OptionRanges.Value), max = g.Double("max", OptionRanges.Value);
            if (min is not null && max is not null && min > max) throw g.Error(g.Node, $"gates[{i}]: min {min} is above max {max}");
            RegressionLimit? regression = null;
            if (g.Mapping("max_regression") is { } r)
            {
                regression = new RegressionLimit(r.Double("absolute", OptionRanges.Regression), r.Double("relative", OptionRanges.Regression));
                if (regression.Absolute is null && regression.Relative is null) throw r.Error(r.Node, "'max_regression' needs absolute, relative or both");
                r.Finish();
            }
            if (min is null && max is null && regression is null)
                throw g.Error(g.Node, $"gates[{i}] checks nothing; give min, max or max_regression");
            var severity = g.Enum("severity", "error", "warning") ?? "error";
            g.Finish();
            gates.Add(new GateSpec(metric, direction == "higher_is_better" ? MetricDirection.HigherIsBetter : MetricDirection.LowerIsBetter,
                min, max, regression, severity == "error" ? GateSeverity.Error : GateSeverity.Warning, items[i].Mark));
        }
        return gates;
    }

    private static OutputSpec ReadOutputs(SpecMapping top, string folder)
    {
        if (top.Mapping("outputs") is not { } o) return new OutputSpec(ResolvePath(folder, "audit-out"), true, true, true);
        var result = new OutputSpec(o.Value("dir") is null ? ResolvePath(folder, "audit-out") : ResolvePath(o, "dir", folder),
            o.Bool("html") ?? true, o.Bool("markdown") ?? true, o.Bool("junit") ?? true);
        o.Finish();
        return result;
    }
}
