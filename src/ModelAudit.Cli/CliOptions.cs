using System.CommandLine;

namespace ModelAudit.Cli;

/// <summary>Options several commands share.</summary>
internal static class CliOptions
{
    public static Argument<string> Model() => new("model") { Description = "The ONNX model file." };

    public static Option<string> Input(bool required = true) => new("--input") { Description = "Input batch (.npy, float32).", Required = required };

    public static Option<string[]> Layers() => new("--layers")
    {
        Description = "Comma-separated ONNX tensor names (the option may repeat).",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<string> Dump(bool required) => new("--dump") { Description = "Folder to write one .npy per layer and index.json into.", Required = required };

    /// <summary>Splits comma-separated layer lists; empty entries are dropped.</summary>
    public static List<string> SplitLayers(string[]? values)
        => values is null ? [] : [.. values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))];
}
