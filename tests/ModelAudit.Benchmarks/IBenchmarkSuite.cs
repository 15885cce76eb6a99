namespace ModelAudit.Benchmarks;

/// <summary>
/// One named group of measurements. Suites are discovered by reflection: add a class implementing this
/// interface (with a parameterless constructor) and it is listed and runnable by name.
/// </summary>
public interface IBenchmarkSuite
{
    /// <summary>Name used on the command line, e.g. <c>gemm</c>.</summary>
    string Name { get; }

    /// <summary>Runs the measurements and prints a table to <paramref name="output"/>.</summary>
    void Run(TextWriter output);
}
