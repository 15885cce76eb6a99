namespace ModelAudit.Analysis.Tests;

/// <summary>Locates committed fixtures from the test's output folder.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Fixtures => Path.Combine(Root, "tests", "fixtures");

    public static string Goldens => Path.Combine(Root, "tests", "ModelAudit.Analysis.Tests", "goldens");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Audit.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Audit.sln not found above " + AppContext.BaseDirectory);
    }
}
