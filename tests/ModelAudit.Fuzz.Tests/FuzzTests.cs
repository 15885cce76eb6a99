using System.Diagnostics;
using ModelAudit.Audit.Spec;
using Xunit.Abstractions;

using ModelAudit.Cli;

namespace ModelAudit.Fuzz.Tests;

/// <summary>
/// Seeded fuzzing of everything a pull request can hand the tool: specs (mutations of audit-configs/*.yaml),
/// baselines (mutations of a real report.json), .npy inputs and targets, CSV data. Each case must end with exit
/// 0, 2 or 3 (never 1), a failure must be one line naming the file, nothing partial may be left and nothing
/// outside the case folder may change. Most cases fail at load; the few that run the model are capped.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper log)
{
    /// <summary>
    /// A longer run: MODEL_AUDIT_FUZZ_SCALE=N multiplies every case count, MODEL_AUDIT_FUZZ_SEED=K shifts every seed
    /// (docs/security.md). CI runs scale 1, seed 0.
    /// </summary>
    private static readonly int Scale = int.TryParse(Environment.GetEnvironmentVariable("MODEL_AUDIT_FUZZ_SCALE"), out var scale) && scale > 0 ? scale : 1;

    private static readonly int SeedOffset = int.TryParse(Environment.GetEnvironmentVariable("MODEL_AUDIT_FUZZ_SEED"), out var seed) ? seed : 0;

    private static readonly TimeSpan LoadLimit = TimeSpan.FromSeconds(10);

    /// <summary>A cheap audit of the iris CSV: the data path and a full run in under a second or two.</summary>
    private static string IrisSpec(string csv, string? baseline = null) => $"""
        model: '{Path.Combine(FuzzHarness.AuditConfigs, "iris", "model.onnx")}'
        data:
          inputs: '{csv}'
          label_column: species
        analyses:
          conductance: {"{ steps: 2 }"}
          planes: {"{ estimator: gaussian, bootstrap: 0, reduction: none }"}
        gates:
          - metric: accuracy
            direction: higher_is_better
            min: 0
        {(baseline is null ? "" : $"baseline: '{baseline}'")}
        """;

    private static void MakeFifo(string path)
    {
        if (!OperatingSystem.IsLinux()) return;
        using var p = Process.Start("mkfifo", [path]);
        p.WaitForExit();
    }

    [Fact]
    public void Run_MutatedSpecs_ExitCodesLinesAndFilesHold()
    {
        using var h = new FuzzHarness("spec");
        var specs = Directory.CreateDirectory(Path.Combine(h.Root, "specs")).FullName;
        foreach (var data in new[] { "digits", "iris" })
            Directory.CreateSymbolicLink(Path.Combine(specs, data), Path.Combine(FuzzHarness.AuditConfigs, data));
        var fifo = Path.Combine(specs, "fifo");
        MakeFifo(fifo);
        var folder = Directory.CreateDirectory(Path.Combine(specs, "folder")).FullName;
        string Resolve(string v) => v switch { "FIFO" => fifo, "FOLDER" => folder, _ => v };
        var bases = Directory.GetFiles(FuzzHarness.AuditConfigs, "*.yaml").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToArray();
        var random = new Random(20261201 + SeedOffset);
        int valid = 0, fullRuns = 0, cancelledRuns = 0, skipped = 0;
        const int Cases = 3000;
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < Cases * Scale; i++)
        {
            var bytes = Mutations.Spec(bases[random.Next(bases.Length)], random, Resolve);
            var spec = Path.Combine(specs, $"case{i}.yaml");
            File.WriteAllBytes(spec, bytes);
            var caseFolder = h.CaseFolder(i);
            var outDir = Path.Combine(caseFolder, "out");
            string[] args = ["run", spec, "--out", outDir, "--quiet"];
            bool loads;
            try
            {
                AuditSpecLoader.Load(spec);
                loads = true;
            }
            catch (AuditSpecException)
            {
                loads = false;
            }
            catch (Exception e)
            {
                h.Check($"spec case {i} (loader threw {e.GetType().Name}: {e.Message} {e.StackTrace?.Split('\n').FirstOrDefault()})", args, caseFolder, spec, ["out"], LoadLimit);
                File.Delete(spec);
                continue;
            }
            // A spec that loads runs the model: a few run to the end, a few are cancelled mid-run, the rest are skipped.
            if (!loads) h.Check($"spec case {i}", args, caseFolder, spec, ["out"], LoadLimit);
            else
            {
                valid++;
                if (fullRuns < 4)
                {
                    fullRuns++;
                    using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                    h.Check($"spec case {i} (full run)", args, caseFolder, "/", ["out"], TimeSpan.FromSeconds(70), limit.Token, cancelledIsOk: true);
                }
                else if (cancelledRuns < 8)
                {
                    cancelledRuns++;
                    // Cancelled from a dedicated thread, as the signal handler does: a timer would wait for a thread-pool
                    // thread while the audit keeps every core busy.
                    using var limit = new CancellationTokenSource();
                    var canceller = new Thread(() =>
                    {
                        Thread.Sleep(500);
                        limit.Cancel();
                    });
                    canceller.Start();
                    h.Check($"spec case {i} (cancelled run)", args, caseFolder, "/", ["out"], TimeSpan.FromSeconds(5), limit.Token, cancelledIsOk: true);
                    canceller.Join();
                }
                else skipped++;
            }
            File.Delete(spec);
        }
        h.CheckRepositoryUnchanged();
        log.WriteLine(h.Report("specs") + $"{Environment.NewLine}valid specs {valid} (full runs {fullRuns}, cancelled runs {cancelledRuns}, not run {skipped}); {watch.Elapsed.TotalSeconds:F1} s");
        var leftovers = Directory.EnumerateFileSystemEntries(specs).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(OperatingSystem.IsLinux() ? ["digits", "fifo", "folder", "iris"] : ["digits", "folder", "iris"], leftovers);
        Assert.True(h.Failures.Count == 0, h.Report("specs"));
    }

    [Fact]
    public void Diff_MutatedBaselines_ExitCodesLinesAndFilesHold()
    {
        using var h = new FuzzHarness("baseline");
        var setup = h.CaseFolder(-1);
        var csv = Path.Combine(FuzzHarness.AuditConfigs, "iris", "iris.csv");
        var spec = Path.Combine(setup, "iris.yaml");
        File.WriteAllText(spec, IrisSpec(csv));
        var first = Program.Run(["run", spec, "--out", Path.Combine(setup, "out"), "--quiet"], new StringWriter(), new StringWriter());
        Assert.Equal(0, first);
        var real = Path.Combine(setup, "out", "report.json");
        var json = File.ReadAllText(real);
        var random = new Random(4711 + SeedOffset);
        const int Cases = 2000;
        int runs = 0;
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < Cases * Scale; i++)
        {
            var caseFolder = h.CaseFolder(i);
            var mutated = Path.Combine(caseFolder, "baseline.json");
            File.WriteAllBytes(mutated, Mutations.Report(json, random));
            h.Check($"baseline case {i}", ["diff", mutated, real], caseFolder, mutated, ["baseline.json"], LoadLimit);
            h.Check($"candidate case {i}", ["diff", real, mutated], caseFolder, mutated, ["baseline.json"], LoadLimit);
            if (i % 200 == 0 && runs < 10)
            {
                runs++;
                h.Check($"run --baseline case {i}", ["run", spec, "--baseline", mutated, "--out", Path.Combine(caseFolder, "out"), "--quiet"],
                    caseFolder, mutated, ["baseline.json", "out"], TimeSpan.FromSeconds(60));
            }
        }
        Assert.Equal(json, File.ReadAllText(real));
        h.CheckRepositoryUnchanged();
        log.WriteLine(h.Report("baselines") + $"{Environment.NewLine}{watch.Elapsed.TotalSeconds:F1} s");
        Assert.True(h.Failures.Count == 0, h.Report("baselines"));
    }

    [Fact]
    public void Commands_RandomOptionsOnSmallBatches_ExitCodesLinesAndFilesHold()
    {
        using var h = new FuzzHarness("options");
        var digits = Path.Combine(FuzzHarness.RepoRoot, "tests", "fixtures", "digits_cnn");
        var model = Path.Combine(digits, "model.onnx");
        var input = ModelAudit.Tensors.Io.NpyFile.Read(Path.Combine(digits, "input.npy")).ToFloat32();
        var labels = ModelAudit.Tensors.Io.NpyFile.Read(Path.Combine(FuzzHarness.AuditConfigs, "digits", "labels.npy")).ToInt64();
        // Mostly valid values, so that most cases get past parsing into the analyses.
        string[] ints = ["0", "1", "2", "3", "7", "512", "0", "1", "-1", "65537", "2147483648", "x", "1e3", ""];
        string[] layers = ["/relu1/Relu_output_0", "input", "/relu1/Relu_output_0,/relu3/Relu_output_0", "/relu2/Relu_output_0", "output", "nope", ",", ""];
        var random = new Random(99 + SeedOffset);
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 400 * Scale; i++)
        {
            var caseFolder = h.CaseFolder(i);
            int n = random.Next(0, 7);
            var x = Path.Combine(caseFolder, "x.npy");
            ModelAudit.Tensors.Io.NpyFile.Write(x, ModelAudit.Tensors.Io.NpyArray.FromFloat32(input[..(n * 64)], n, 1, 8, 8));
            var y = Path.Combine(caseFolder, "y.npy");
            var ys = labels[..n];
            if (n > 0 && random.Next(4) == 0) ys[random.Next(n)] = random.Next(2) == 0 ? 10 : -1;
            ModelAudit.Tensors.Io.NpyFile.Write(y, ModelAudit.Tensors.Io.NpyArray.FromInt64(ys, n));
            string Pick(string[] values) => values[random.Next(values.Length)];
            var outDir = Path.Combine(caseFolder, "out");
            List<string> args = random.Next(3) switch
            {
                0 => ["analyze", model, "--input", x, "--estimator", Pick(["renyi", "binning", "kde", "ksg", "gaussian"]), "--steps", Pick(["0", "1", "2", "3", "0", "2", "-1", "10001", "x"]),
                    "--bootstrap", Pick(["0", "1", "2", "3", "0", "2", "-1", "10001"]), "--internal-batch-size", Pick(ints), "--json", Path.Combine(outDir, "a.json")],
                1 => ["attribute", model, "--input", x, "--method", Pick(["conductance", "integrated-gradients", "gradient-x-activation"]), "--steps", Pick(["2", "3", "4", "2", "1", "-1", "10001"]),
                    "--internal-batch-size", Pick(ints), "--baseline", Pick(["zeros", "0.5", "zeros", "-1", "NaN", "inf", "1e39", x]), "--layers", Pick(layers), "--dump", Path.Combine(outDir, "d")],
                _ => ["grad", model, "--input", x, "--target", y, "--layers", Pick(layers), "--dump", Path.Combine(outDir, "g")],
            };
            if (args[0] == "analyze" && random.Next(2) == 0) args.AddRange(["--labels", y]);
            if (args[0] == "attribute") args.AddRange(random.Next(2) == 0 ? ["--target", y] : ["--target-class", Pick(["0", "9", "3", "10", "-1", "77"])]);
            // Options and data both vary: an error may name either file or the option.
            var result = h.Check($"options case {i}: {string.Join(' ', args.Select(a => a.Replace(caseFolder, ".", StringComparison.Ordinal)))}", [.. args], caseFolder, "", ["x.npy", "y.npy", "out"],
                TimeSpan.FromSeconds(30));
            _ = result;
        }
        h.CheckRepositoryUnchanged();
        log.WriteLine(h.Report("options") + $"{Environment.NewLine}{watch.Elapsed.TotalSeconds:F1} s");
        Assert.True(h.Failures.Count == 0, h.Report("options"));
    }

    [Fact]
    public void Commands_MutatedDataFiles_ExitCodesLinesAndFilesHold()
    {
        using var h = new FuzzHarness("data");
        var digits = Path.Combine(FuzzHarness.RepoRoot, "tests", "fixtures", "digits_cnn");
        var model = Path.Combine(digits, "model.onnx");
        var input = File.ReadAllBytes(Path.Combine(digits, "input.npy"));
        var target = File.ReadAllBytes(Path.Combine(digits, "target.npy"));
        var csvText = File.ReadAllText(Path.Combine(FuzzHarness.AuditConfigs, "iris", "iris.csv"));
        var random = new Random(1234 + SeedOffset);
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 1500 * Scale; i++)
        {
            var caseFolder = h.CaseFolder(i);
            var x = Path.Combine(caseFolder, "x.npy");
            File.WriteAllBytes(x, Mutations.Npy(input, random));
            h.Check($"infer input case {i}", ["infer", model, "--input", x, "--output", Path.Combine(caseFolder, "out", "y.npy")], caseFolder, x, ["x.npy", "out"], LoadLimit);
        }
        for (int i = 0; i < 1000 * Scale; i++)
        {
            var caseFolder = h.CaseFolder(10_000 + i);
            var t = Path.Combine(caseFolder, "t.npy");
            File.WriteAllBytes(t, Mutations.Npy(target, random));
            h.Check($"grad target case {i}", ["grad", model, "--input", Path.Combine(digits, "input.npy"), "--target", t, "--layers", "input", "--dump", Path.Combine(caseFolder, "out", "g")],
                caseFolder, t, ["t.npy", "out"], LoadLimit);
        }
        int csvCases = 150;
        for (int i = 0; i < csvCases * Scale; i++)
        {
            var caseFolder = h.CaseFolder(20_000 + i);
            var csv = Path.Combine(caseFolder, "iris.csv");
            File.WriteAllBytes(csv, Mutations.Csv(csvText, random));
            var spec = Path.Combine(caseFolder, "spec.yaml");
            File.WriteAllText(spec, IrisSpec(csv));
            h.Check($"csv case {i}", ["run", spec, "--out", Path.Combine(caseFolder, "out"), "--quiet"], caseFolder, csv, ["iris.csv", "spec.yaml", "out"], TimeSpan.FromSeconds(60));
        }
        h.CheckRepositoryUnchanged();
        log.WriteLine(h.Report("data files") + $"{Environment.NewLine}{watch.Elapsed.TotalSeconds:F1} s");
        Assert.True(h.Failures.Count == 0, h.Report("data files"));
    }
}
