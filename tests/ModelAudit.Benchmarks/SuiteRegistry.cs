using System.Reflection;

namespace ModelAudit.Benchmarks;

/// <summary>All <see cref="IBenchmarkSuite"/> implementations in this assembly, ordered by name.</summary>
public static class SuiteRegistry
{
    public static IReadOnlyList<IBenchmarkSuite> Discover()
        => typeof(SuiteRegistry).Assembly.GetTypes()
            .Where(t => typeof(IBenchmarkSuite).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (IBenchmarkSuite)Activator.CreateInstance(t)!)
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList();
}
