using System.CommandLine;
using ModelAudit.Audit.Spec;
using ModelAudit.Audit.Streaming;
using ModelAudit.Reporting.Json;

namespace ModelAudit.Cli;

/// <summary>
/// <c>merge SPEC.yaml DIR... [--out DIR] [--baseline report.json] [--no-fail] [--quiet] [--templates DIR]</c>: joins the
/// parts written by <c>run --shard K/N</c>, then runs the estimators, gates and reports as <c>run</c> does.
/// </summary>
internal static class MergeCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var spec = new Argument<string>("spec") { Description = "The audit spec the shards ran (YAML)." };
        var parts = new Argument<string[]>("parts") { Description = "Folders written by run --shard K/N, one per shard.", Arity = ArgumentArity.OneOrMore };
        var outDir = new Option<string>("--out") { Description = "Folder for the reports (default: the spec's outputs.dir)." };
        var baseline = new Option<string>("--baseline") { Description = "A previous report.json to compare with (overrides the spec's baseline)." };
        var noFail = new Option<bool>("--no-fail") { Description = "Exit 0 even when a gate fails." };
        var quiet = new Option<bool>("--quiet") { Description = "No progress output." };
        var templates = new Option<string>("--templates") { Description = "Folder overriding the HTML templates." };
        var command = new Command("merge", "Join the parts of a sharded run (run --shard K/N) and finish the audit: estimators, gates, reports.")
        {
            spec, parts, outDir, baseline, noFail, quiet, templates,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            try
            {
                var auditSpec = AuditSpecLoader.Load(parse.GetRequiredValue(spec));
                var read = parse.GetRequiredValue(parts).Select(ShardPart.Read).ToList();
                return Task.FromResult(RunCommand.Audit(auditSpec, parse.GetValue(outDir), parse.GetValue(baseline), parse.GetValue(noFail), parse.GetValue(quiet),
                    parse.GetValue(templates), output, error, (runner, b) => runner.Merge(read, b, cancellationToken), cancellationToken));
            }
            catch (AuditSpecException e)
            {
                error.WriteLine(e.Diagnostic);
                return Task.FromResult(ExitCodes.InvalidInput);
            }
            catch (Exception e) when (e is ReportFormatException or IOException)
            {
                error.WriteLine("error: " + e.Message.ReplaceLineEndings(" "));
                return Task.FromResult(ExitCodes.InvalidInput);
            }
        });
        return command;
    }
}
