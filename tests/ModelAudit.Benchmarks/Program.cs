using ModelAudit.Benchmarks;

IReadOnlyList<IBenchmarkSuite> suites = SuiteRegistry.Discover();
string requested = args.Length > 0 ? args[0] : "";
var selected = requested == "all" ? suites : suites.Where(s => s.Name == requested).ToList();
if (selected.Count == 0)
{
    Console.Error.WriteLine($"usage: ModelAudit.Benchmarks <suite>; suites: {string.Join(", ", suites.Select(s => s.Name))}, all");
    return 2;
}

// MODEL_AUDIT_BENCH_THREADS caps our engine's threads for suites that do not set them themselves.
if (int.TryParse(Environment.GetEnvironmentVariable("MODEL_AUDIT_BENCH_THREADS"), out int threads) && threads > 0)
    ModelAudit.Tensors.Kernels.KernelParallel.MaxDegree = threads;
Console.WriteLine($"# {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, " +
    $"AVX-512F {System.Runtime.Intrinsics.X86.Avx512F.IsSupported}, our threads {ModelAudit.Tensors.Kernels.KernelParallel.MaxDegree}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
foreach (IBenchmarkSuite suite in selected)
{
    Console.WriteLine();
    Console.WriteLine($"## {suite.Name}");
    suite.Run(Console.Out);
}
return 0;
