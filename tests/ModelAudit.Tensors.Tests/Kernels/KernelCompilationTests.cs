using System.Reflection;
using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors.Tests.Kernels;

/// <summary>
/// How the kernels are compiled. A kernel marked AggressiveOptimization is compiled once, fully optimised; it must also be
/// NoInlining, or dynamic PGO inlines it into a hot tier-1 caller, where the 6x64 GEMM tile's 24 accumulators no longer
/// fit in registers: resnet18's one-thread forward went from 145 ms to 166-255 ms after tier-up, depending on which
/// callers were recompiled.
/// </summary>
public class KernelCompilationTests
{
    [Fact]
    public void AggressivelyOptimisedMethods_InTensors_AreNeverInlined()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        var optimised = typeof(Sgemm).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(all).Cast<MethodBase>().Concat(t.GetConstructors(all)))
            .Where(m => (m.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0)
            .ToList();

        // The GEMM micro-kernel and the pack routines at least, so the check below is not vacuous.
        Assert.Contains(optimised, m => m.DeclaringType == typeof(SgemmMicroKernel) && m.Name == nameof(SgemmMicroKernel.Avx512) && m.IsGenericMethodDefinition);
        Assert.True(optimised.Count >= 30, $"only {optimised.Count} aggressively optimised methods found");
        var inlinable = optimised.Where(m => (m.MethodImplementationFlags & MethodImplAttributes.NoInlining) == 0)
            .Select(m => $"{m.DeclaringType!.FullName}.{m.Name}");
        Assert.Empty(inlinable);
    }
}
