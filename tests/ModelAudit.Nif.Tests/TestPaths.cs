namespace ModelAudit.Nif.Tests;

/// <summary>Locates fixtures in the source tree.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>tests/fixtures/&lt;model&gt;/...</summary>
    public static string Fixture(params string[] parts) => Path.Combine([RepoRoot, "tests", "fixtures", .. parts]);

    /// <summary>tests/ModelAudit.Nif.Tests/goldens/...</summary>
    public static string Golden(string name) => Path.Combine(RepoRoot, "tests", "ModelAudit.Nif.Tests", "goldens", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Audit.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Audit.sln not found above " + AppContext.BaseDirectory);
    }
}
