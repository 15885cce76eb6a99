using System.CommandLine;
using System.Reflection;
using ModelAudit.Audit.Gates;
using ModelAudit.Audit.Model;
using ModelAudit.Audit.Running;
using ModelAudit.Audit.Spec;
using ModelAudit.Audit.Streaming;
using ModelAudit.Reporting;
using ModelAudit.Reporting.Html;
using ModelAudit.Reporting.Json;
using ModelAudit.Reporting.Text;
using Spectre.Console;

namespace ModelAudit.Cli;

/// <summary>
/// <c>run SPEC.yaml [--out DIR] [--baseline report.json] [--no-fail] [--quiet] [--templates DIR] [--list-inputs]</c>: runs
/// the audit, writes the reports atomically, prints the gate table. Exit 0 passed (warnings allowed),
/// 2 a gate failed, 3 invalid spec/model/data, 1 internal error.
/// </summary>
internal static class RunCommand
{
    /// <summary>Diagnostic code of a failed error-severity gate.</summary>
    internal const string GateFailedCode = "MA0002";

    /// <summary>Diagnostic code of a failed warning-severity gate.</summary>
    internal const string GateWarningCode = "MA0003";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var spec = new Argument<string>("spec") { Description = "The audit spec (YAML)." };
        var outDir = new Option<string>("--out") { Description = "Folder for the reports (default: the spec's outputs.dir)." };
        var baseline = new Option<string>("--baseline") { Description = "A previous report.json to compare with (overrides the spec's baseline)." };
        var noFail = new Option<bool>("--no-fail") { Description = "Exit 0 even when a gate fails (the reports still say so)." };
        var quiet = new Option<bool>("--quiet") { Description = "No progress output; only errors and the final line." };
        var templates = new Option<string>("--templates") { Description = "Folder with layout.hbs and partials/*.hbs overriding the HTML templates." };
        var shard = new Option<string>("--shard") { Description = "K/N: stream only shard K of N of the samples and write its part to --out (join the parts with merge)." };
        var listInputs = new Option<bool>("--list-inputs") { Description = "Print the files the audit reads (spec, model, data, labels, baseline), one absolute path a line, and exit." };
        var command = new Command("run", "Run an audit spec: analyses, gates against thresholds and a baseline, reports.") { spec, outDir, baseline, noFail, quiet, templates, shard, listInputs };
        // Spec, baseline, template and file-system errors reach Program.Run, which prints one line and exits 3.
        command.SetAction((parse, cancellationToken) =>
        {
            if (parse.GetValue(listInputs))
                return Task.FromResult(InputList.Print(AuditSpecLoader.Load(parse.GetRequiredValue(spec)), parse.GetValue(baseline), output));
            if (parse.GetValue(shard) is { } shardText)
                return Task.FromResult(RunShard(parse.GetRequiredValue(spec), ShardSelector.Parse(shardText), parse.GetValue(outDir), parse.GetValue(quiet),
                    output, cancellationToken));
            var auditSpec = AuditSpecLoader.Load(parse.GetRequiredValue(spec));
            return Task.FromResult(Audit(auditSpec, parse.GetValue(outDir), parse.GetValue(baseline), parse.GetValue(noFail), parse.GetValue(quiet),
                parse.GetValue(templates), output, error, (runner, b) => runner.Run(b, cancellationToken), cancellationToken));
        });
        return command;
    }

    /// <summary>The tool's name and informational version.</summary>
    internal static string ToolVersion =>
        "dotnet-model-audit " + (typeof(RunCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");

    /// <summary>Streams one shard and writes its part; the gates and reports come from merge.</summary>
    private static int RunShard(string specPath, ShardSelector shard, string? outOption, bool quiet, TextWriter output, CancellationToken cancellationToken)
    {
        var spec = AuditSpecLoader.Load(specPath);
        var outDirectory = outOption ?? spec.Outputs.Directory;
        IAuditProgress progress = quiet ? NoProgress.Instance : new PlainAuditProgress(output);
        var part = new AuditRunner(spec, progress, ToolVersion).RunShard(shard, cancellationToken);
        foreach (var file in part.Write(outDirectory))
            if (!quiet) output.WriteLine($"wrote {file}");
        output.WriteLine($"shard {shard}: {part.Samples} samples from sample {part.Identity.FirstSample}; join the parts with: merge {specPath} DIR... --out DIR");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Runs <paramref name="audit"/> (a whole run or a merge), writes the reports atomically, prints the gate table and
    /// returns the exit code: the tail shared by <c>run</c> and <c>merge</c>.
    /// </summary>
    internal static int Audit(AuditSpec spec, string? outOption, string? baselineOption, bool noFail, bool quiet, string? templatesDir,
        TextWriter output, TextWriter error, Func<AuditRunner, BaselineReport?, AuditReport> audit, CancellationToken cancellationToken)
    {
        var baselinePath = baselineOption ?? spec.Baseline;
        var outDirectory = outOption ?? spec.Outputs.Directory;
        var targets = ReportWriter.Targets(outDirectory, spec.Outputs);
        ReportWriter.CheckBaseline(targets, baselinePath);
        var baseline = baselinePath is null ? null : ReportJsonReader.Read(baselinePath).Baseline;
        // Fail before the compute when a report cannot be written: --out is a file, or a report name is a folder.
        if (File.Exists(outDirectory)) throw new IOException($"{outDirectory}: is a file; --out needs a folder");
        foreach (var target in targets) Tensors.Io.StagedFile.CheckTarget(target);
        // Permission problems too: the folder is created now, not after an hour of compute (and removed again,
        // when this run created it, if the run fails before writing into it).
        bool created = !Directory.Exists(outDirectory);
        Directory.CreateDirectory(outDirectory);
        try
        {
            return AuditAndReport(spec, outDirectory, baselinePath, baseline, noFail, quiet, templatesDir, output, error, audit, cancellationToken);
        }
        catch when (created && Directory.Exists(outDirectory) && !Directory.EnumerateFileSystemEntries(outDirectory).Any())
        {
            Directory.Delete(outDirectory);
            throw;
        }
    }

    private static int AuditAndReport(AuditSpec spec, string outDirectory, string? baselinePath, BaselineReport? baseline, bool noFail, bool quiet,
        string? templatesDir, TextWriter output, TextWriter error, Func<AuditRunner, BaselineReport?, AuditReport> audit, CancellationToken cancellationToken)
    {
        // Compile the templates before any compute, so a broken override fails fast.
        var renderer = templatesDir is null ? HtmlReportRenderer.Default : new HtmlReportRenderer(ReportTemplates.FromDirectory(templatesDir));

        bool interactive = !quiet && ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && !IsCi();
        AuditReport report;
        if (interactive)
        {
            AuditReport? result = null;
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx => result = audit(new AuditRunner(spec, new SpectreAuditProgress(ctx), ToolVersion), baseline));
            report = result!;
        }
        else
        {
            IAuditProgress progress = quiet ? NoProgress.Instance : new PlainAuditProgress(output);
            report = audit(new AuditRunner(spec, progress, ToolVersion), baseline);
        }

        var files = ReportWriter.Write(report, outDirectory, spec.Outputs, baselinePath, renderer, cancellationToken);
        if (interactive) GateTable.Spectre(report);
        else if (!quiet) GateTable.Plain(report, output);
        if (Environment.GetEnvironmentVariable("GITHUB_ACTIONS") == "true")
            foreach (var line in GitHubAnnotations.Lines(report)) output.WriteLine(line);
        if (!quiet) foreach (var f in files) output.WriteLine($"wrote {f}");
        if (!quiet) foreach (var warning in report.Warnings) output.WriteLine("warning: " + warning);
        if (baseline is null && spec.Gates.Any(g => g.MaxRegression is not null) && !quiet)
            output.WriteLine("note: no baseline given; regression limits were not checked");
        // Canonical diagnostics: MSBuild, editors and problem matchers turn these into errors at the gate's line.
        foreach (var g in report.Gates.Where(g => g.Status != GateStatus.Pass))
            error.WriteLine($"{spec.File}({g.Gate.Mark.Line},{g.Gate.Mark.Column}): {(g.Status == GateStatus.Fail ? "error " + GateFailedCode : "warning " + GateWarningCode)}: {g.Message}");
        int failed = report.Gates.Count(g => g.Status == GateStatus.Fail);
        if (failed > 0) error.WriteLine($"audit failed: {failed} of {report.Gates.Count} gates failed");
        else output.WriteLine($"audit passed: {report.Gates.Count} gates, {report.Gates.Count(g => g.Status == GateStatus.Warn)} warnings");
        return failed > 0 && !noFail ? ExitCodes.GateFailed : ExitCodes.Ok;
    }

    private static bool IsCi() => Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci && ci != "false" && ci != "0";
}
