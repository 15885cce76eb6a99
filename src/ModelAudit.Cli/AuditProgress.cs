using System.Diagnostics;
using System.Globalization;
using ModelAudit.Audit.Running;
using Spectre.Console;

namespace ModelAudit.Cli;

/// <summary>
/// Audit progress as plain lines (redirected output, CI): one line per stage start and end, and at each quarter or
/// after 30 s without a line, with the time left at the rate so far.
/// </summary>
internal sealed class PlainAuditProgress(TextWriter output) : IAuditProgress
{
    private const double QuietSeconds = 30;

    private readonly Dictionary<string, (string Title, int Total, int Quarter, Stopwatch Watch, double LastLine)> _stages = [];

    public void Start(string stage, string title, int total)
    {
        _stages[stage] = (title, total, 0, Stopwatch.StartNew(), 0);
        output.WriteLine($"[{stage}] {title}: started ({total} steps)");
    }

    public void Report(string stage, int done)
    {
        var s = _stages[stage];
        int quarter = s.Total > 0 ? done * 4 / s.Total : 4;
        double elapsed = s.Watch.Elapsed.TotalSeconds;
        if (done >= s.Total || (quarter <= s.Quarter && elapsed - s.LastLine < QuietSeconds)) return;
        _stages[stage] = s with { Quarter = Math.Max(quarter, s.Quarter), LastLine = elapsed };
        // Remaining time from the rate so far, as the interactive bars show it.
        double remaining = done > 0 ? elapsed * (s.Total - done) / done : 0;
        output.WriteLine($"[{stage}] {s.Title}: {done}/{s.Total}, {elapsed.ToString("F0", CultureInfo.InvariantCulture)} s, about {remaining.ToString("F0", CultureInfo.InvariantCulture)} s left");
    }

    public void Complete(string stage)
    {
        var s = _stages[stage];
        // The process's peak so far: where it grows shows which stage needs the memory (the scale benchmark reads it).
        long peak = Process.GetCurrentProcess().PeakWorkingSet64 >> 20;
        output.WriteLine($"[{stage}] {s.Title}: done in {s.Watch.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s, peak working set {peak} MiB");
    }
}

/// <summary>Audit progress as Spectre.Console bars, one per stage, with ETA.</summary>
internal sealed class SpectreAuditProgress(ProgressContext context) : IAuditProgress
{
    private readonly Dictionary<string, ProgressTask> _tasks = [];

    public void Start(string stage, string title, int total)
        => _tasks[stage] = context.AddTask(Markup.Escape(title), maxValue: Math.Max(1, total));

    public void Report(string stage, int done) => _tasks[stage].Value = done;

    public void Complete(string stage)
    {
        var task = _tasks[stage];
        task.Value = task.MaxValue;
        task.StopTask();
    }
}
