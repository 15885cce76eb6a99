using ModelAudit.Audit.Steps;

namespace ModelAudit.Audit.Running;

/// <summary>The analyses a spec can name, in run order (later steps may use what earlier ones computed).</summary>
internal sealed class AuditStepRegistry
{
    private readonly List<IAuditStep> _steps;

    /// <summary>A registry in run order.</summary>
    /// <exception cref="InvalidOperationException">A step reads an output that no earlier step produces, or two steps produce one type (bugs in the registration).</exception>
    public AuditStepRegistry(IEnumerable<IAuditStep> steps)
    {
        _steps = [.. steps];
        for (int i = 0; i < _steps.Count; i++)
        {
            var step = _steps[i];
            if (_steps.Take(i).FirstOrDefault(s => s.Output == step.Output) is { } twin)
                throw new InvalidOperationException($"steps '{twin.Key}' and '{step.Key}' both produce {step.Output.Name}");
            foreach (var read in step.Reads)
                if (!_steps.Take(i).Any(s => s.Output == read))
                    throw new InvalidOperationException($"step '{step.Key}' reads {read.Name}, which no step registered before it produces");
        }
    }

    /// <summary>Conductance first (planes use its attributions), then planes (ITE uses its reduced representations), then ITE, then NIF.</summary>
    public static AuditStepRegistry Default { get; } = new([new ConductanceStep(), new PlanesStep(), new IteStep(), new NifStep()]);

    public IReadOnlyList<IAuditStep> Steps => _steps;

    public IAuditStep? Find(string key) => _steps.FirstOrDefault(s => s.Key == key);

    /// <summary>The registered step that produces <paramref name="output"/> (the constructor checked there is one for every read).</summary>
    public IAuditStep Producer(Type output) => _steps.First(s => s.Output == output);
}
