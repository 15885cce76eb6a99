using System.CommandLine;
using ModelAudit.Audit.Spec;

namespace ModelAudit.Cli;

/// <summary><c>help spec</c>: built-in reference pages for tool users, who have no docs/ folder.</summary>
internal static class HelpCommand
{
    /// <summary>The topics and their pages.</summary>
    private static readonly (string Topic, Func<string> Page)[] Topics = [("spec", SpecReference.Text)];

    public static Command Create(TextWriter output, TextWriter error)
    {
        var topic = new Argument<string?>("topic") { Description = "The page: spec (every spec key, default, metric and range).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("help", "Print a reference page: help spec.") { topic };
        command.SetAction(parse =>
        {
            var name = parse.GetValue(topic);
            if (name is null)
            {
                output.WriteLine("topics: " + string.Join(", ", Topics.Select(t => t.Topic)) + " (e.g. dotnet model-audit help spec); commands: dotnet model-audit --help");
                return ExitCodes.Ok;
            }
            foreach (var (t, page) in Topics)
            {
                if (t != name) continue;
                output.Write(page());
                return ExitCodes.Ok;
            }
            error.WriteLine($"error: no help topic '{Program.OneLine(name)}'; topics: {string.Join(", ", Topics.Select(t => t.Topic))}");
            return ExitCodes.InvalidInput;
        });
        return command;
    }
}
