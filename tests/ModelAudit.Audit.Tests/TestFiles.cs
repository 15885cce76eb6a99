namespace ModelAudit.Audit.Tests;

/// <summary>Repository paths and temporary spec files.</summary>
internal static class TestFiles
{
    public static string RepoRoot { get; } = FindRoot();

    public static string DigitsFixture(params string[] parts) => Path.Combine([RepoRoot, "tests", "fixtures", "digits_cnn", .. parts]);

    public static string AuditConfigs => Path.Combine(RepoRoot, "audit-configs");

    /// <summary>Writes a spec next to the digits fixture files (so relative paths resolve there) and returns its path.</summary>
    public static string WriteSpec(string folder, string yaml, string name = "spec.yaml")
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, yaml.Replace("\r\n", "\n", StringComparison.Ordinal));
        return path;
    }

    /// <summary>A spec header over the digits fixture with absolute paths.</summary>
    public static string DigitsHeader =>
        $"""
        model: '{DigitsFixture("model.onnx")}'
        data:
          inputs: '{DigitsFixture("input.npy")}'
          labels: '{DigitsFixture("labels.npy")}'

        """;

    /// <summary>max|e - a| / max|e|.</summary>
    public static double RelativeError(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        double maxError = 0, maxValue = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            maxError = Math.Max(maxError, Math.Abs(expected[i] - actual[i]));
            maxValue = Math.Max(maxValue, Math.Abs(expected[i]));
        }
        return maxValue > 0 ? maxError / maxValue : maxError;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Audit.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Audit.sln not found above " + AppContext.BaseDirectory);
    }
}
