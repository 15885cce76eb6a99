using System.CommandLine;
using ModelAudit.Audit.Spec;
using ModelAudit.Tensors.Graph;

namespace ModelAudit.Cli;

/// <summary>Options several commands share.</summary>
internal static class CliOptions
{
    public static Argument<string> Model() => new("model") { Description = "The ONNX model file." };

    public static Option<string> Input(bool required = true) => new("--input") { Description = "Input batch (.npy: float32, or integer token ids for a model with an integer input); its shape sets any free dimension.", Required = required };

    public static Option<string[]> Layers() => new("--layers")
    {
        Description = "Comma-separated ONNX tensor names (the option may repeat).",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<string> Dump(bool required) => new("--dump") { Description = "Folder to write one .npy per layer and index.json into.", Required = required };

    /// <summary>
    /// An integer option whose name, default and range come from <paramref name="definition"/> (shared with the
    /// spec); a value out of range is a usage error (exit 3) before any work.
    /// </summary>
    public static Option<int> Int(IntOption definition, string description)
    {
        var flag = "--" + definition.Name.Replace('_', '-');
        var option = new Option<int>(flag)
        {
            Description = $"{description} Default {definition.Default}; {definition.RangeText}.",
            DefaultValueFactory = _ => definition.Default,
        };
        option.Validators.Add(result =>
        {
            // Validators run before conversion errors are reported: a token that is not an integer is left to the
            // parser's own error (reading the value here would throw).
            if (result.Tokens.Count == 0) return;
            var text = result.Tokens[^1].Value;
            if (!long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long value))
            {
                result.AddError($"{flag} must be an integer {definition.RangeText}, got '{text}'");
                return;
            }
            if (!definition.Allows(value)) result.AddError($"{flag} must be {definition.RangeText}, got {value}");
        });
        return option;
    }

    /// <summary><c>--from-layer</c>: the inner layer a path integral starts from (token models), for <c>attribute</c> and <c>analyze</c>.</summary>
    public static Option<string> FromLayer() => new("--from-layer")
    {
        Description = "Run the path from this inner layer (e.g. the embedding output of a token model), as Captum's LayerIntegratedGradients; "
            + "the baseline stays in input space (zeros = token id 0) and the layer's baseline is its value there.",
    };

    /// <summary><c>--target-axis</c>: the output axis the target indexes.</summary>
    public static Option<int> TargetAxis() => Int(OptionRanges.TargetAxis,
        "Output axis the target indexes (the class axis; -1 for [N, T, C], 1 for [N, C, H, W]); other non-batch axes are reduced by --target-reduce.");

    /// <summary><c>--target-reduce</c>: how the other output positions enter a sample's score.</summary>
    public static Option<string> TargetReduce()
    {
        var option = new Option<string>("--target-reduce")
        {
            Description = "sum (default) or mean of the target class over the other non-batch axes, or flat: the target indexes the flattened output of a sample.",
            DefaultValueFactory = _ => "sum",
        };
        option.AcceptOnlyFromAmong("sum", "mean", "flat");
        return option;
    }

    /// <summary>The output target of <c>--target-axis</c> and <c>--target-reduce</c>.</summary>
    public static OutputTarget Target(int axis, string reduce) => new(axis, reduce switch
    {
        "mean" => TargetReduction.Mean,
        "flat" => TargetReduction.Flat,
        _ => TargetReduction.Sum,
    });

    /// <summary>Splits comma-separated layer lists; empty entries are dropped.</summary>
    public static List<string> SplitLayers(string[]? values)
        => values is null ? [] : [.. values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))];
}
