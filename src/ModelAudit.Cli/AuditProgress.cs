using System.Diagnostics;
using System.Globalization;
using ModelAudit.Audit.Running;
using Spectre.Console;

namespace ModelAudit.Cli;

/// <summary>Audit progress as plain lines (redirected output, CI): one line per stage start and end, and at each quarter.</summary>
internal sealed class PlainAuditProgress(TextWriter output) : IAuditProgress
{
    private readonly Dictionary<string, (string Title, int Total, int Quarter, Stopwatch Watch)> _stages = [];

    public void Start(string stage, string title, int total)
    {
        _stages[stage] = (title, total, 0, Stopwatch.StartNew());
        output.WriteLine($"[{stage}] {title}: started ({total} steps)");
    }

    public void Report(string stage, int done)
    {
        var s = _stages[stage];
        int quarter = s.Total > 0 ? done * 4 / s.Total : 4;
        if (quarter <= s.Quarter || quarter >= 4) return;
        _stages[stage] = s with { Quarter = quarter };
        output.WriteLine($"[{stage}] {s.Title}: {done}/{s.Total}");
    }

    public void Complete(string stage)
    {
        var s = _stages[stage];
        output.WriteLine($"[{stage}] {s.Title}: done in {s.Watch.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s");
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
