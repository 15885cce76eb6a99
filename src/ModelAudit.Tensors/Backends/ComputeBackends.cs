using System.Reflection;

namespace ModelAudit.Tensors;

/// <summary>Creates a backend for a name. A backend assembly exposes one public implementation.</summary>
public interface IComputeBackendProvider
{
    /// <summary>The backend's selection name, e.g. <c>cuda</c>.</summary>
    string Name { get; }

    /// <summary>True when the backend can run here (libraries load, a device is present); <paramref name="reason"/> says why not.</summary>
    bool IsAvailable(out string reason);

    /// <summary>Creates the backend.</summary>
    IComputeBackend Create();
}

/// <summary>
/// The registry of compute backends: the managed CPU backend is built in; others are found by name
/// at run time in an assembly named <c>ModelAudit.Tensors.{Name}</c> beside this one (as MathNet's
/// providers), so nothing references them at compile time.
/// </summary>
public static class ComputeBackends
{
    private static readonly Dictionary<string, IComputeBackendProvider> Providers = new(StringComparer.OrdinalIgnoreCase);
    private static readonly Lock Gate = new();

    /// <summary>The managed CPU backend, the default.</summary>
    public static IComputeBackend Cpu { get; } = new CpuBackend();

    /// <summary>Registers a provider (used by backend assemblies and tests).</summary>
    public static void Register(IComputeBackendProvider provider)
    {
        lock (Gate) Providers[provider.Name] = provider;
    }

    /// <summary>
    /// The backend for <paramref name="name"/>: <c>cpu</c>, a registered or loadable backend, or <c>auto</c>
    /// (the first available non-CPU backend, else CPU).
    /// </summary>
    /// <exception cref="BackendUnavailableException">The named backend cannot be loaded or is not available.</exception>
    public static IComputeBackend Get(string name)
    {
        if (string.Equals(name, "cpu", StringComparison.OrdinalIgnoreCase)) return Cpu;
        if (string.Equals(name, "auto", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var candidate in new[] { "cuda" })
            {
                var p = TryLoad(candidate, out _);
                if (p is not null && p.IsAvailable(out _)) return p.Create();
            }
            return Cpu;
        }
        var provider = TryLoad(name, out var loadError)
            ?? throw new BackendUnavailableException($"Compute backend '{name}' could not be loaded: {loadError}");
        if (!provider.IsAvailable(out var reason))
            throw new BackendUnavailableException($"Compute backend '{name}' is not available: {reason}");
        return provider.Create();
    }

    private static IComputeBackendProvider? TryLoad(string name, out string error)
    {
        lock (Gate)
        {
            if (Providers.TryGetValue(name, out var known))
            {
                error = "";
                return known;
            }
        }
        var assemblyName = "ModelAudit.Tensors." + char.ToUpperInvariant(name[0]) + name[1..].ToLowerInvariant();
        var path = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        if (!File.Exists(path))
        {
            error = $"{assemblyName}.dll is not installed beside the tool";
            return null;
        }
        try
        {
            var assembly = Assembly.LoadFrom(path);
            var type = assembly.GetExportedTypes().FirstOrDefault(t => typeof(IComputeBackendProvider).IsAssignableFrom(t) && !t.IsAbstract);
            if (type is null)
            {
                error = $"{assemblyName}.dll has no {nameof(IComputeBackendProvider)}";
                return null;
            }
            var provider = (IComputeBackendProvider)Activator.CreateInstance(type)!;
            Register(provider);
            error = "";
            return provider;
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or TypeLoadException or MissingMethodException)
        {
            error = e.Message;
            return null;
        }
    }
}

/// <summary>A named backend could not be loaded or has no device.</summary>
public sealed class BackendUnavailableException(string message) : Exception(message);
