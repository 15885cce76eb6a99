namespace ModelAudit.Tensors.Tests.Io;

/// <summary>Locates the NumPy-written fixtures in the source tree (they are not copied to the output).</summary>
internal static class IoFixtures
{
    public static string Dir { get; } = Find();

    public static string Path(string name) => System.IO.Path.Combine(Dir, name);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "tests", "ModelAudit.Tensors.Tests", "Io", "fixtures");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("tests/ModelAudit.Tensors.Tests/Io/fixtures not found above " + AppContext.BaseDirectory);
    }
}
