using System.CommandLine;
using System.Runtime.InteropServices;
using HandlebarsDotNet;
using ModelAudit.Audit.Spec;
using ModelAudit.Onnx;
using ModelAudit.Reporting.Json;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Cli;

/// <summary>The <c>dotnet model-audit</c> entry point: parses arguments, runs a command, maps errors to exit codes.</summary>
internal static class Program
{
    private static PosixSignalRegistration[]? _signalRegistrations;

    /// <summary>
    /// Runs the tool on the console. The first SIGINT (Ctrl+C) or SIGTERM cancels: the command stops at its next
    /// check, cleans up and exits 130. A second signal exits 130 at once, after deleting staged temporary files.
    /// </summary>
    public static int Main(string[] args)
    {
        var cancellation = new CancellationTokenSource();
        var error = new WatchedWriter(Console.Error);
        int signals = 0;
        bool finished = false;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (Interlocked.Increment(ref signals) == 1)
            {
                error.Reset();
                cancellation.Cancel();
                return;
            }
            lock (error.Sync)
            {
                // Main is returning (it prints its own line), or the command already said "cancelled": one line only.
                if (finished) return;
                StagedFile.DeletePending();
                if (!error.Written) error.WriteLine("error: cancelled");
                error.Flush();
                Environment.Exit(ExitCodes.Cancelled);
            }
        }
        // Never disposed: a second signal that arrives while the process is exiting must still meet the handler,
        // not the default action (killed by SIGTERM, exit 143).
        _signalRegistrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
        int exit = Run(args, Console.Out, error, cancellation.Token);
        lock (error.Sync) finished = true;
        GC.KeepAlive(_signalRegistrations);
        return exit;
    }

    /// <summary>stderr that remembers whether anything was written since <see cref="Reset"/>, under one lock with the signal handler.</summary>
    private sealed class WatchedWriter(TextWriter inner) : TextWriter
    {
        public object Sync { get; } = new();

        public bool Written { get; private set; }

        public override System.Text.Encoding Encoding => inner.Encoding;

        public void Reset()
        {
            lock (Sync) Written = false;
        }

        public override void Write(char value)
        {
            lock (Sync)
            {
                Written = true;
                inner.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (Sync)
            {
                Written = true;
                inner.Write(value);
            }
        }

        public override void WriteLine(string? value)
        {
            lock (Sync)
            {
                Written = true;
                inner.WriteLine(value);
            }
        }

        public override void Flush()
        {
            lock (Sync) inner.Flush();
        }
    }

    /// <summary>Runs one command in-process, writing to <paramref name="output"/> and one-line errors to <paramref name="error"/>.</summary>
    /// <returns>0 ok, 1 internal error, 2 audit gate failed, 3 invalid input (usage, spec, model, data, baseline, file system), 130 cancelled.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        // No file system accepts NUL in a path, and .NET would throw ArgumentException deep inside a command.
        if (args.FirstOrDefault(a => a.Contains('\0', StringComparison.Ordinal)) is { } withNul)
        {
            error.WriteLine($"error: argument '{OneLine(withNul)}' contains a NUL character");
            return ExitCodes.InvalidInput;
        }
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
            HelpCommand.Create(output, error),
        };
        try
        {
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                error.WriteLine("error: " + OneLine(parsed.Errors[0].Message) + " (see --help)");
                return ExitCodes.InvalidInput;
            }
            cancellationToken.ThrowIfCancellationRequested();
            return parsed.InvokeAsync(new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,
                // Main handles SIGINT/SIGTERM itself; System.CommandLine's own handler would crash on a second signal.
                ProcessTerminationTimeout = null,
            }, cancellationToken)
                .GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("error: cancelled");
            return ExitCodes.Cancelled;
        }
        catch (AuditSpecException e)
        {
            error.WriteLine(e.Diagnostic);
            return ExitCodes.InvalidInput;
        }
        catch (Exception e) when (e is OnnxModelException or DataFileException or ModelInputException or ReportFormatException or HandlebarsException)
        {
            error.WriteLine("error: " + OneLine(e.Message));
            return ExitCodes.InvalidInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Permission denied, disk full, a folder where a file should be: the environment, not a bug. .NET names the path.
            if (cancellationToken.IsCancellationRequested)
            {
                error.WriteLine("error: cancelled");
                return ExitCodes.Cancelled;
            }
            error.WriteLine("error: " + OneLine(e.Message));
            return ExitCodes.InvalidInput;
        }
        catch (Exception e)
        {
            error.WriteLine($"error: internal error: {e.GetType().Name}: {OneLine(e.Message)}");
            return ExitCodes.InternalError;
        }
    }

    /// <summary>Control characters (line breaks included) become spaces: an error is always one line.</summary>
    internal static string OneLine(string message)
    {
        var chars = message.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (char.IsControl(chars[i])) chars[i] = ' ';
        return new string(chars).Trim();
    }
}
