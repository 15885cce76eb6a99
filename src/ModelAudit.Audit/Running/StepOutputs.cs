namespace ModelAudit.Audit.Running;

/// <summary>
/// The typed outputs of the steps that ran, one per step, keyed by the output's type (never by a string). The
/// runner adds each step's output; a step reads an earlier one through <see cref="StepReads"/>, which refuses a
/// type the step did not declare. The spec loader has already checked that every declared read has an earlier
/// configured producer, so a missing output here is our bug, and the message says which type and which step.
/// </summary>
internal sealed class StepOutputs
{
    private readonly Dictionary<Type, object> _outputs = [];

    /// <summary>Records <paramref name="step"/>'s output.</summary>
    /// <exception cref="InvalidOperationException">The value is not of the step's declared output type, or that type was already produced (a bug).</exception>
    public void Add(IAuditStep step, object output)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(output);
        if (!step.Output.IsInstanceOfType(output))
            throw new InvalidOperationException($"step '{step.Key}' declares output {step.Output.Name} but returned {output.GetType().Name}");
        if (!_outputs.TryAdd(step.Output, output))
            throw new InvalidOperationException($"step '{step.Key}' produced {step.Output.Name}, which an earlier step already produced");
    }

    /// <summary>The output of type <typeparamref name="T"/>, or null when no configured step produces it (for the report, whose sections are optional).</summary>
    public T? Find<T>() where T : class => _outputs.TryGetValue(typeof(T), out var value) ? (T)value : null;

    /// <summary>The output of type <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidOperationException">No step produced it before it was read (a bug: the spec check should have refused the spec).</exception>
    public T Get<T>(string reader) where T : class
        => Find<T>() ?? throw new InvalidOperationException($"step '{reader}' reads {typeof(T).Name}, but no earlier step produced it");
}

/// <summary>What one step may read of the earlier steps' outputs: only the types it declares in <see cref="IAuditStep.Reads"/>.</summary>
internal sealed class StepReads
{
    private readonly StepOutputs _outputs;
    private readonly IAuditStep _step;

    public StepReads(StepOutputs outputs, IAuditStep step)
    {
        _outputs = outputs;
        _step = step;
    }

    /// <summary>The earlier step's output of type <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidOperationException">The step did not declare it as a read, or nothing produced it (bugs).</exception>
    public T Get<T>() where T : class
    {
        if (!_step.Reads.Contains(typeof(T)))
            throw new InvalidOperationException($"step '{_step.Key}' reads {typeof(T).Name} without declaring it in Reads");
        return _outputs.Get<T>(_step.Key);
    }
}
