using System.CommandLine;
using ModelAudit.Onnx;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Cli;

/// <summary>The <c>dotnet model-audit</c> entry point: parses arguments, runs a command, maps errors to exit codes.</summary>
internal static class Program
{
    /// <summary>Runs the tool on the console; Ctrl+C cancels and cleans up.</summary>
    public static int Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        return Run(args, Console.Out, Console.Error, cancellation.Token);
    }

    /// <summary>Runs one command in-process, writing to <paramref name="output"/> and one-line errors to <paramref name="error"/>.</summary>
    /// <returns>0 ok, 1 internal error, 2 audit gate failed, 3 invalid input (usage, model, data, unknown layer), 130 cancelled.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var root = new RootCommand("Audits how information flows through a trained ONNX network and gates model releases.")
        {
            InspectCommand.Create(output),
            InferCommand.Create(output),
            GradCommand.Create(output),
            AttributeCommand.Create(output),
            AnalyzeCommand.Create(output),
            RunCommand.Create(output, error),
            MergeCommand.Create(output, error),
            DiffCommand.Create(output, error),
            InitCommand.Create(output, error),
            NifCommand.Create(output),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine("error: " + OneLine(parsed.Errors[0].Message) + " (see --help)");
            return ExitCodes.InvalidInput;
        }
        try
        {
            return parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken)
                .GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("error: cancelled");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is OnnxModelException or DataFileException or ModelInputException)
        {
            error.WriteLine("error: " + OneLine(e.Message));
            return ExitCodes.InvalidInput;
        }
        catch (Exception e)
        {
            error.WriteLine($"error: internal error: {e.GetType().Name}: {OneLine(e.Message)}");
            return ExitCodes.InternalError;
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
