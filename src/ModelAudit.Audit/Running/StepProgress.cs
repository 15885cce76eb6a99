namespace ModelAudit.Audit.Running;

/// <summary>Receives progress of the audit's stages (one per analysis, plus loading and reporting).</summary>
public interface IAuditProgress
{
    /// <summary>A stage starts with <paramref name="total"/> units of work.</summary>
    void Start(string stage, string title, int total);

    /// <summary><paramref name="done"/> units of the stage are done.</summary>
    void Report(string stage, int done);

    /// <summary>The stage finished.</summary>
    void Complete(string stage);
}

/// <summary>Progress of one stage, as a step sees it.</summary>
public sealed class StepProgress
{
    private readonly IAuditProgress _sink;
    private readonly string _stage;
    private int _done;

    internal StepProgress(IAuditProgress sink, string stage, string title, int total)
    {
        _sink = sink;
        _stage = stage;
        _sink.Start(stage, title, total);
    }

    /// <summary>Marks <paramref name="units"/> more units done.</summary>
    public void Advance(int units = 1)
    {
        _done += units;
        _sink.Report(_stage, _done);
    }

    internal void Complete() => _sink.Complete(_stage);
}

/// <summary>Discards progress.</summary>
public sealed class NoProgress : IAuditProgress
{
    /// <summary>The instance.</summary>
    public static NoProgress Instance { get; } = new();

    /// <inheritdoc/>
    public void Start(string stage, string title, int total) { }

    /// <inheritdoc/>
    public void Report(string stage, int done) { }

    /// <inheritdoc/>
    public void Complete(string stage) { }
}
