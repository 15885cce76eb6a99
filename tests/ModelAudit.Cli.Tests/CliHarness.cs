namespace ModelAudit.Cli.Tests;

/// <summary>Runs the CLI in-process and captures its streams.</summary>
internal static class CliHarness
{
    public static (int Exit, string Out, string Err) Run(params string[] args) => Run(CancellationToken.None, args);

    public static (int Exit, string Out, string Err) Run(CancellationToken cancellationToken, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = Program.Run(args, output, error, cancellationToken);
        return (exit, output.ToString(), error.ToString());
    }

    public static string RepoRoot { get; } = FindRoot();

    public static string Golden(params string[] parts) => Path.Combine([RepoRoot, "tests", "fixtures", .. parts]);

    public static string OnnxFixture(string name) => Path.Combine(RepoRoot, "tests", "ModelAudit.Onnx.Tests", "fixtures", name);

    /// <summary>max|e - a| / max|e|.</summary>
    public static double RelativeError(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxError = 0, maxValue = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            maxError = Math.Max(maxError, Math.Abs((double)expected[i] - actual[i]));
            maxValue = Math.Max(maxValue, Math.Abs((double)expected[i]));
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
