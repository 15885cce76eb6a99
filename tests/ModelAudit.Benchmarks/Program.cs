using ModelAudit.Benchmarks;

IReadOnlyList<IBenchmarkSuite> suites = SuiteRegistry.Discover();
string requested = args.Length > 0 ? args[0] : "";
var selected = requested == "all" ? suites : suites.Where(s => s.Name == requested).ToList();
if (selected.Count == 0)
{
    Console.Error.WriteLine($"usage: ModelAudit.Benchmarks <suite>; suites: {string.Join(", ", suites.Select(s => s.Name))}, all");
    return 2;
}

Console.WriteLine($"# {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, " +
    $"AVX-512F {System.Runtime.Intrinsics.X86.Avx512F.IsSupported}");
foreach (IBenchmarkSuite suite in selected)
{
    Console.WriteLine();
    Console.WriteLine($"## {suite.Name}");
    suite.Run(Console.Out);
}
return 0;
