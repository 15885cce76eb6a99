using ModelAudit.Audit.Steps;

namespace ModelAudit.Audit.Running;

/// <summary>The analyses a spec can name, in run order (later steps may use what earlier ones computed).</summary>
internal sealed class AuditStepRegistry
{
    private readonly List<IAuditStep> _steps;

    public AuditStepRegistry(IEnumerable<IAuditStep> steps) => _steps = [.. steps];

    /// <summary>Conductance first (planes use its attributions), then planes (ITE uses its reduced representations), then ITE, then NIF.</summary>
    public static AuditStepRegistry Default { get; } = new([new ConductanceStep(), new PlanesStep(), new IteStep(), new NifStep()]);

    public IReadOnlyList<IAuditStep> Steps => _steps;

    public IAuditStep? Find(string key) => _steps.FirstOrDefault(s => s.Key == key);
}
