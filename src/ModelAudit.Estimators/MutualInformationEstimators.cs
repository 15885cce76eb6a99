namespace ModelAudit.Estimators;

/// <summary>
/// The estimators by name, with their default options: the registry the command line and the audit
/// spec select from. Register another estimator with <see cref="Register"/>.
/// </summary>
public static class MutualInformationEstimators
{
    private static readonly Dictionary<string, Func<IMutualInformationEstimator>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["renyi"] = () => new RenyiEstimator(),
        ["binning"] = () => new BinningEstimator(),
        ["kde"] = () => new KdeEstimator(),
        ["ksg"] = () => new KsgEstimator(),
        ["gaussian"] = () => new GaussianEstimator(),
    };

    /// <summary>The registered names.</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>Adds or replaces an estimator.</summary>
    public static void Register(string name, Func<IMutualInformationEstimator> factory) => Factories[name] = factory;

    /// <summary>A new estimator of that name with default options.</summary>
    /// <exception cref="ArgumentException">No estimator has that name; the message lists them.</exception>
    public static IMutualInformationEstimator Create(string name)
        => Factories.TryGetValue(name, out var factory) ? factory()
            : throw new ArgumentException($"unknown estimator '{name}'; expected one of {string.Join(", ", Factories.Keys)}");
}
