using System.Text;
using ModelAudit.Audit.Running;
using ModelAudit.Onnx;

namespace ModelAudit.Audit.Spec;

/// <summary>Writes a starter spec for a model: its Relu/Add layers (all layers when there are few), all analyses, a few sensible gates.</summary>
public static class StarterSpec
{
    /// <summary>The most samples a starter spec audits (fewer when the data holds fewer).</summary>
    public const int DefaultMaxSamples = 256;

    /// <summary>The command that prints the spec reference; the spec's comments point at it.</summary>
    public const string ReferenceCommand = "dotnet model-audit help spec";

    /// <summary>The YAML text of a starter spec stored at <paramref name="specPath"/> (relative paths are written against its folder).</summary>
    /// <param name="modelPath">The ONNX model.</param>
    /// <param name="dataPath">Input samples (.npy, .npz or .csv), or null for a placeholder to fill in.</param>
    /// <param name="labelsPath">Labels (.npy), or null to use the model's predictions.</param>
    /// <param name="specPath">Where the spec will be written.</param>
    /// <param name="dataSamples">How many samples <paramref name="dataPath"/> holds (<see cref="Data.SampleCount"/>), or null when it is not
    /// there yet: <c>samples:</c> is min(this, <see cref="DefaultMaxSamples"/>), and left out (all samples) when unknown.</param>
    /// <exception cref="OnnxModelException">The model cannot be loaded.</exception>
    public static string Create(string modelPath, string? dataPath, string? labelsPath, string specPath, int? dataSamples)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        ArgumentNullException.ThrowIfNull(specPath);
        var model = OnnxModel.Load(modelPath);
        var layers = LayerResolver.Auto(LayerResolver.Candidates(model, 1));
        var folder = Path.GetDirectoryName(Path.GetFullPath(specPath)) ?? ".";
        string Rel(string p) => Path.GetRelativePath(folder, Path.GetFullPath(p)).Replace('\\', '/');
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var y = new StringBuilder();
        y.AppendLine($"# Audit spec for {Path.GetFileName(modelPath)}, written by `dotnet model-audit init`.");
        y.AppendLine($"# Every key, default and range: `{ReferenceCommand}`. Paths are relative to this file.");
        y.AppendLine($"model: {Quote(Rel(modelPath))}");
        y.AppendLine("seed: 0");
        y.AppendLine("data:");
        if (dataPath is null) y.AppendLine("  inputs: inputs.npy            # PLACEHOLDER: no --data was given; samples shaped like the model input, e.g. [N,1,8,8]");
        else y.AppendLine($"  inputs: {Quote(Rel(dataPath))}");
        if (labelsPath is null) y.AppendLine("  labels: predicted             # or a .npy file of class indices");
        else y.AppendLine($"  labels: {Quote(Rel(labelsPath))}");
        if (dataSamples is { } n)
            y.AppendLine(n > DefaultMaxSamples
                ? string.Create(inv, $"  samples: {DefaultMaxSamples}                  # a seeded subset of the file's {n}; remove for all")
                : string.Create(inv, $"  samples: {n}                   # all the file holds"));
        else y.AppendLine(string.Create(inv, $"  # samples: {DefaultMaxSamples}               # the data was not there to count: all samples unless set"));
        y.AppendLine(layers.Count == LayerResolver.Candidates(model, 1).Count ? "# every runtime layer (the model has few Relu/Add outputs)" : "# outputs of the Relu and Add nodes, in depth order");
        y.AppendLine("layers:");
        foreach (var l in layers) y.AppendLine($"  - {Quote(l.Name)}");
        y.AppendLine("analyses:");
        y.AppendLine("  conductance: { method: gausslegendre, steps: 50 }");
        y.AppendLine("  planes: { estimator: renyi, reduction: channel_mean, bootstrap: 10 }");
        y.AppendLine("  ite: {}");
        y.AppendLine("  nif: {}                       # flow graph: MINE between units of consecutive layers (bounded units; an edge budget refuses oversized runs up front)");
        y.AppendLine("gates:");
        if (labelsPath is not null)
        {
            y.AppendLine("  - metric: accuracy");
            y.AppendLine("    direction: higher_is_better");
            y.AppendLine("    min: 0.5");
            y.AppendLine("    max_regression: { absolute: 0.02 }");
        }
        y.AppendLine("  - metric: mean(ite.efficiency[*])");
        y.AppendLine("    direction: higher_is_better");
        y.AppendLine("    max_regression: { relative: 0.10 }");
        y.AppendLine("  - metric: max(conductance.share[*])");
        y.AppendLine("    direction: lower_is_better");
        y.AppendLine("    max: 0.9");
        y.AppendLine("    severity: warning");
        y.AppendLine("  - metric: dpi.violations");
        y.AppendLine("    direction: lower_is_better");
        y.AppendLine("    max_regression: { absolute: 2 }");
        y.AppendLine("    severity: warning");
        y.AppendLine("  - metric: nif.dead_units");
        y.AppendLine("    direction: lower_is_better");
        y.AppendLine("    max_regression: { absolute: 2 }");
        y.AppendLine("    severity: warning");
        y.AppendLine("outputs:");
        y.AppendLine("  dir: audit-out");
        return y.ToString();
    }

    private static string Quote(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";
}
