using System.Runtime.InteropServices;

namespace ModelAudit.Benchmarks;

/// <summary>OpenBLAS entry points used as the reference in benchmarks (loaded at run time, if present).</summary>
public static unsafe class NativeMethods
{
    private const string OpenBlasPath = "/usr/lib/x86_64-linux-gnu/libopenblas.so.0";
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private static readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> s_sgemm
        = LoadSgemm(out s_loadError);

    private static readonly string? s_loadError;

    /// <summary>Whether OpenBLAS was loaded.</summary>
    public static bool HasOpenBlas => s_sgemm != null;

    /// <summary>Why OpenBLAS is unavailable (null when it is loaded).</summary>
    public static string? OpenBlasError => s_loadError;

    /// <summary>cblas_sgemm, row-major.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (s_sgemm == null) throw new InvalidOperationException(s_loadError);
        fixed (float* pa = a, pb = b, pc = c)
        {
            s_sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }

    private static delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> LoadSgemm(out string? error)
    {
        if (!NativeLibrary.TryLoad(OpenBlasPath, out nint library))
        {
            error = $"{OpenBlasPath} not found";
            return null;
        }
        if (!NativeLibrary.TryGetExport(library, "cblas_sgemm", out nint export))
        {
            error = $"{OpenBlasPath} has no cblas_sgemm";
            return null;
        }
        error = null;
        return (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)export;
    }
}
