namespace ModelAudit.Reporting.Html;

/// <summary>
/// The HTML templates (Scriban): <c>layout.sbn-html</c> plus <c>partials/*.sbn-html</c> (each included as
/// <c>{{ partial "NAME" }}</c>), embedded from the repository's templates/ folder or read from a folder that
/// overrides them.
/// </summary>
public sealed class ReportTemplates
{
    /// <summary>The file extension of a template.</summary>
    public const string Extension = ".sbn-html";

    /// <summary>The layout's file name.</summary>
    public const string LayoutFile = "layout" + Extension;

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

    /// <summary>Reads <c>DIR/layout.sbn-html</c> and <c>DIR/partials/*.sbn-html</c>; partials missing there come from the embedded set.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder or its layout is missing.</exception>
    public static ReportTemplates FromDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var layoutPath = Path.Combine(directory, LayoutFile);
        if (!File.Exists(layoutPath))
            throw new DirectoryNotFoundException($"{directory}: no {LayoutFile} (a templates folder holds {LayoutFile} and partials/*{Extension})");
        var partials = new Dictionary<string, string>(Embedded.Partials, StringComparer.Ordinal);
        var partialDir = Path.Combine(directory, "partials");
        if (Directory.Exists(partialDir))
            foreach (var file in Directory.GetFiles(partialDir, "*" + Extension).Order(StringComparer.Ordinal))
                partials[Name(file)] = File.ReadAllText(file);
        return new ReportTemplates(File.ReadAllText(layoutPath), partials);
    }

    private static string Name(string file) => Path.GetFileName(file)[..^Extension.Length];

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
            .Where(n => n.StartsWith("templates/partials/", StringComparison.Ordinal) && n.EndsWith(Extension, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToDictionary(Name, n => Read(names[n]), StringComparer.Ordinal);
        return new ReportTemplates(Read(names["templates/" + LayoutFile]), partials);
    }
}
