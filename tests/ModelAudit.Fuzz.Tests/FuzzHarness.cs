using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

using ModelAudit.Cli;

namespace ModelAudit.Fuzz.Tests;

/// <summary>One fuzz case's outcome.</summary>
/// <param name="Name">What was mutated, for the failure list.</param>
/// <param name="Exit">The exit code.</param>
/// <param name="Error">stderr.</param>
/// <param name="Elapsed">How long the command ran.</param>
internal sealed record FuzzResult(string Name, int Exit, string Error, TimeSpan Elapsed);

/// <summary>
/// Runs CLI commands in-process on generated hostile files and checks the invariants of hostile input: exit 0, 2
/// or 3 (never 1), a failure is exactly one line on stderr naming the file, nothing partial (<c>*.tmp</c>) or
/// unexpected appears, nothing outside the case folder changes, and each case ends in bounded time.
/// </summary>
internal sealed class FuzzHarness : IDisposable
{
    private readonly List<string> _failures = [];
    private readonly Dictionary<int, int> _exits = [];
    private readonly string _repoDigest;

    public FuzzHarness(string name)
    {
        Root = Directory.CreateTempSubdirectory("fuzz-" + name).FullName;
        _repoDigest = RepoDigest();
    }

    public string Root { get; }

    public static string RepoRoot { get; } = FindRoot();

    public static string AuditConfigs => Path.Combine(RepoRoot, "audit-configs");

    public int Cases { get; private set; }

    public TimeSpan Slowest { get; private set; }

    public IReadOnlyList<string> Failures => _failures;

    /// <summary>Exit codes seen, with counts: <c>0: 12, 3: 2900</c>.</summary>
    public string ExitSummary => string.Join(", ", _exits.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"));

    /// <summary>A fresh empty folder for one case.</summary>
    public string CaseFolder(int index)
    {
        var dir = Path.Combine(Root, "case" + index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>
    /// Runs <paramref name="args"/> and checks the invariants. <paramref name="named"/> must appear in a one-line
    /// error (the file the case mutated); <paramref name="allowed"/> lists the files the case folder may hold after.
    /// </summary>
    public FuzzResult Check(string name, string[] args, string caseFolder, string named, IReadOnlyCollection<string> allowed,
        TimeSpan limit, CancellationToken cancellationToken = default, bool cancelledIsOk = false)
    {
        Cases++;
        var output = new StringWriter();
        var error = new StringWriter();
        var watch = Stopwatch.StartNew();
        int exit;
        try
        {
            exit = Program.Run(args, output, error, cancellationToken);
        }
        catch (Exception e)
        {
            exit = -1;
            error.WriteLine($"escaped Program.Run: {e.GetType().Name}: {e.Message}");
        }
        var elapsed = watch.Elapsed;
        if (elapsed > Slowest) Slowest = elapsed;
        _exits[exit] = _exits.GetValueOrDefault(exit) + 1;
        var err = error.ToString();
        var lines = err.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        void Fail(string why) => _failures.Add($"{name}: {why}; exit {exit}; stderr: {Clip(err)}");
        if (exit is not (0 or 2 or 3) && !(cancelledIsOk && exit == 130)) Fail("exit code not in {0, 2, 3}");
        if (exit == 3)
        {
            if (lines.Length != 1) Fail($"{lines.Length} lines on stderr");
            else if (!lines[0].Contains(named, StringComparison.Ordinal)) Fail("the error does not name " + named);
        }
        if (exit == 130 && (lines.Length != 1 || lines[0] != "error: cancelled")) Fail("cancellation is not one line");
        if (elapsed > limit) Fail($"took {elapsed.TotalSeconds:F1} s (limit {limit.TotalSeconds:F0} s)");
        foreach (var file in Directory.EnumerateFileSystemEntries(caseFolder, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(caseFolder, file);
            if (file.EndsWith(".tmp", StringComparison.Ordinal) || file.EndsWith(".bak", StringComparison.Ordinal)) Fail("left " + relative);
            else if (!allowed.Any(a => relative == a || relative.StartsWith(a + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
                Fail("unexpected file " + relative);
        }
        return new FuzzResult(name, exit, err, elapsed);
    }

    /// <summary>Fails when a repository input changed during the run (the fuzz writes only under its temporary folder).</summary>
    public void CheckRepositoryUnchanged()
    {
        if (RepoDigest() != _repoDigest) _failures.Add("a file under audit-configs/ or tests/fixtures/digits_cnn changed");
    }

    public string Report(string what)
        => $"{what}: {Cases} cases, exits {{{ExitSummary}}}, slowest {Slowest.TotalSeconds:F2} s, {_failures.Count} failures"
            + (_failures.Count == 0 ? "" : Environment.NewLine + string.Join(Environment.NewLine, _failures.Take(40)));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A FIFO or a read-only leftover: the temp folder is cleaned by the system.
        }
    }

    private static string RepoDigest()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var dir in new[] { AuditConfigs, Path.Combine(RepoRoot, "tests", "fixtures", "digits_cnn") })
            foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                sha.AppendData(Encoding.UTF8.GetBytes(file));
                sha.AppendData(File.ReadAllBytes(file));
            }
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    private static string Clip(string text)
    {
        var one = text.ReplaceLineEndings(" | ");
        return one.Length > 300 ? one[..300] + "..." : one;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Audit.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Audit.sln not found above " + AppContext.BaseDirectory);
    }
}
