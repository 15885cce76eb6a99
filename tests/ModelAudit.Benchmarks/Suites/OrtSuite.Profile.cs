using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace ModelAudit.Benchmarks;

/// <summary>
/// ONNX Runtime's own per-node times (<c>SessionOptions.EnableProfiling</c>), printed when MODEL_AUDIT_ORT_PROFILE is
/// set: the median kernel time of every node over the profiled runs (after warm-up), its operator and the node's name
/// after graph optimisation (fused Conv+activation nodes carry the activation's output name, NCHWc nodes end in
/// "_nchwc"). Set beside the `profile` suite's tables, it says layer by layer where ONNX Runtime is faster.
/// </summary>
public sealed partial class OrtSuite
{
    private const int ProfiledRuns = 10;

    private static void WriteProfile(string name, int threads, float[] images, long[] shape, TextWriter output)
    {
        string prefix = Path.Combine(Path.GetTempPath(), $"model-audit-ort-{name}-{threads}");
        using var options = Options(threads);
        options.EnableProfiling = true;
        options.ProfileOutputPathPrefix = prefix;
        using var session = new InferenceSession(PeerModels.ModelPath(name), options);
        using var input = OrtValue.CreateTensorValueFromMemory(images, shape);
        using var runOptions = new RunOptions();
        for (int i = 0; i < 3 + ProfiledRuns; i++)
        {
            using var results = session.Run(runOptions, [session.InputNames[0]], [input], session.OutputNames);
        }
        string file = session.EndProfiling();
        var perNode = new Dictionary<string, List<double>>();
        using (var document = JsonDocument.Parse(File.ReadAllText(file)))
        {
            foreach (var e in document.RootElement.EnumerateArray())
            {
                string node = e.GetProperty("name").GetString() ?? "";
                if (e.GetProperty("cat").GetString() != "Node" || !node.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
                string key = e.GetProperty("args").GetProperty("op_name").GetString() + " " + node[..^"_kernel_time".Length];
                if (!perNode.TryGetValue(key, out var times)) perNode[key] = times = [];
                times.Add(e.GetProperty("dur").GetDouble() / 1e3);
            }
        }
        File.Delete(file);
        // The first three runs warm up; the profile records every run, so they are dropped per node.
        var rows = perNode.Select(p => (Node: p.Key, Ms: PeerModels.Median([.. p.Value.Skip(Math.Max(0, p.Value.Count - ProfiledRuns))]))).ToList();
        output.WriteLine($"ONNX Runtime per-node profile, {name}, {threads} thread(s): {rows.Sum(r => r.Ms):F1} ms in {rows.Count} nodes (medians of {ProfiledRuns} runs)");
        var table = new ResultTable("node", "ms");
        foreach (var (node, ms) in rows) table.Add(node, ms.ToString("F2", CultureInfo.InvariantCulture));
        table.Write(output);
    }
}
