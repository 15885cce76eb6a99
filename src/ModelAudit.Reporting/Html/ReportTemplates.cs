using System.Reflection;

namespace ModelAudit.Reporting.Html;

/// <summary>
/// The HTML templates: <c>layout.hbs</c> plus <c>partials/*.hbs</c> (each registered under its file name),
/// embedded from the repository's templates/ folder or read from a folder that overrides them.
/// </summary>
public sealed class ReportTemplates
{
    private ReportTemplates(string layout, IReadOnlyDictionary<string, string> partials)
    {
        Layout = layout;
        Partials = partials;
    }

    /// <summary>The layout template.</summary>
    public string Layout { get; }

    /// <summary>Partials by name.</summary>
    public IReadOnlyDictionary<string, string> Partials { get; }

    /// <summary>The templates shipped inside this assembly.</summary>
    public static ReportTemplates Embedded { get; } = LoadEmbedded();

    /// <summary>Reads <c>DIR/layout.hbs</c> and <c>DIR/partials/*.hbs</c>; partials missing there come from the embedded set.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder or its layout.hbs is missing.</exception>
    public static ReportTemplates FromDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var layoutPath = Path.Combine(directory, "layout.hbs");
        if (!File.Exists(layoutPath)) throw new DirectoryNotFoundException($"{directory}: no layout.hbs (a templates folder holds layout.hbs and partials/*.hbs)");
        var partials = new Dictionary<string, string>(Embedded.Partials, StringComparer.Ordinal);
        var partialDir = Path.Combine(directory, "partials");
        if (Directory.Exists(partialDir))
            foreach (var file in Directory.GetFiles(partialDir, "*.hbs").Order(StringComparer.Ordinal))
                partials[Path.GetFileNameWithoutExtension(file)] = File.ReadAllText(file);
        return new ReportTemplates(File.ReadAllText(layoutPath), partials);
    }

    private static ReportTemplates LoadEmbedded()
    {
        var assembly = typeof(ReportTemplates).Assembly;
        string Read(string name)
        {
            using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"embedded template {name} is missing");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        // MSBuild's RecursiveDir uses the build machine's separator.
        var names = assembly.GetManifestResourceNames().ToDictionary(n => n.Replace('\\', '/'), n => n, StringComparer.Ordinal);
        var partials = names.Keys
            .Where(n => n.StartsWith("templates/partials/", StringComparison.Ordinal) && n.EndsWith(".hbs", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToDictionary(n => Path.GetFileNameWithoutExtension(n), n => Read(names[n]), StringComparer.Ordinal);
        return new ReportTemplates(Read(names["templates/layout.hbs"]), partials);
    }
}
