using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ModelAudit.Benchmarks;

/// <summary>
/// The audit at the paper's size: torchvision ResNet50 and VGG16 at 224x224 (exported by Scale/export_scale_models.py),
/// all analyses (conductance gausslegendre, planes renyi with bootstrap 10 and the null, ITE, NIF default), each case
/// in its own `dotnet-model-audit run` process so its peak working set is its own. Prints per stage the wall time and
/// the process's peak working set when the stage ended, and seconds per sample-step of the streamed pass.
/// Cases: MODEL_AUDIT_SCALE_CASES, e.g. "resnet50:64:50,resnet50:256:8,vgg16:64:50,vgg16:256:8" (model:N:steps; the
/// default), so memory is measured at 50 steps for N = 64 and at 8 steps for N = 256 as the scale issue asks.
/// </summary>
public sealed partial class ScaleSuite : IBenchmarkSuite
{
    /// <summary>The issue's bar for the peak working set of every case.</summary>
    private const long BarMiB = 3 * 1024;

    public string Name => "scale";

    public void Run(TextWriter output)
    {
        var root = FindRoot();
        var folder = Path.Combine(root, "tests", "ModelAudit.Benchmarks", "out", "scale");
        var cli = Path.Combine(root, "src", "ModelAudit.Cli", "bin", "Release", "net10.0", "dotnet-model-audit.dll");
        if (!File.Exists(Path.Combine(folder, "resnet50.onnx")) || !File.Exists(cli))
        {
            output.WriteLine($"needs {folder}/resnet50.onnx, vgg16.onnx (python3 tests/ModelAudit.Benchmarks/Scale/export_scale_models.py) and a Release build of the CLI");
            return;
        }
        var cases = (Environment.GetEnvironmentVariable("MODEL_AUDIT_SCALE_CASES") ?? "resnet50:64:50,resnet50:256:8,vgg16:64:50,vgg16:256:8")
            .Split(',', StringSplitOptions.RemoveEmptyEntries).Select(c => c.Split(':')).ToList();
        var table = new ResultTable("model", "N", "steps", "stage", "seconds", "peak MiB", "s per sample-step");
        foreach (var c in cases)
        {
            string model = c[0];
            int samples = int.Parse(c[1], CultureInfo.InvariantCulture), steps = int.Parse(c[2], CultureInfo.InvariantCulture);
            string spec = Path.Combine(folder, $"{model}-{samples}-{steps}.yaml");
            File.WriteAllText(spec, $"""
                model: {model}.onnx
                data:
                  inputs: input.npy
                  labels: labels.npy
                  samples: {samples}
                analyses:
                  conductance: {"{ method: gausslegendre, steps: " + steps + " }"}
                  planes: {"{ estimator: renyi, bootstrap: 10, null_shuffles: 10 }"}
                  ite: {"{}"}
                  nif: {"{}"}
                outputs:
                  dir: out-{model}-{samples}-{steps}
                """);
            var info = new ProcessStartInfo("dotnet", [cli, "run", spec]) { RedirectStandardOutput = true, RedirectStandardError = true };
            info.Environment["CI"] = "true";
            var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string? line;
            long worst = 0;
            while ((line = process.StandardOutput.ReadLine()) is not null)
            {
                output.WriteLine($"  {model} N={samples} steps={steps}: {line}");
                var m = StageDone().Match(line);
                if (!m.Success) continue;
                string stage = m.Groups[1].Value;
                double seconds = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                long peak = long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
                worst = Math.Max(worst, peak);
                string perStep = stage == "stream" ? (seconds / (samples * (steps + 1.0))).ToString("F3", CultureInfo.InvariantCulture) : "";
                table.Add(model, samples.ToString(CultureInfo.InvariantCulture), steps.ToString(CultureInfo.InvariantCulture), stage,
                    seconds.ToString("F1", CultureInfo.InvariantCulture), peak.ToString(CultureInfo.InvariantCulture), perStep);
            }
            process.WaitForExit();
            table.Add(model, samples.ToString(CultureInfo.InvariantCulture), steps.ToString(CultureInfo.InvariantCulture),
                $"exit {process.ExitCode}, load {load}", "", worst.ToString(CultureInfo.InvariantCulture) + (worst <= BarMiB ? " (bar 3072: ok)" : " (bar 3072: OVER)"), "");
            if (process.ExitCode != 0) output.WriteLine(stderr.Result);
        }
        table.Write(output);
    }

    [GeneratedRegex(@"^\[(\w+)\] .*: done in ([0-9.]+) s, peak working set (\d+) MiB$")]
    private static partial Regex StageDone();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Audit.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Audit.sln not found above " + AppContext.BaseDirectory);
    }
}
