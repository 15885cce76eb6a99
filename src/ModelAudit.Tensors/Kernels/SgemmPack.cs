using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Packs blocks of op(A) and op(B) into the panel layouts the micro-kernels read: contiguous, with the
/// ragged edge zero-padded to a full MR or NR so every tile runs the same kernel.
/// </summary>
internal static unsafe class SgemmPack
{
    /// <summary>
    /// Packs op(A)[i0..i0+mc, p0..p0+kc] into ceil(mc/mr) panels of kc x mr (mr values per k step).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void A(bool trans, float* a, int lda, int i0, int mc, int p0, int kc, int mr, float* dst)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            if (trans)
            {
                // op(A)[i, p] = a[p * lda + i]: each k step is a contiguous run of rows.
                float* src = a + (long)p0 * lda + i0 + ir;
                for (int p = 0; p < kc; p++, src += lda, dst += mr)
                {
                    int r = 0;
                    for (; r < rows; r++) dst[r] = src[r];
                    for (; r < mr; r++) dst[r] = 0;
                }
            }
            else
            {
                // Walk k in the outer loop so the writes are sequential; the mr row streams prefetch well.
                float* src = a + (long)(i0 + ir) * lda + p0;
                for (int p = 0; p < kc; p++, dst += mr)
                {
                    float* column = src + p;
                    int r = 0;
                    for (; r < rows; r++) dst[r] = column[(long)r * lda];
                    for (; r < mr; r++) dst[r] = 0;
                }
            }
        }
    }

    /// <summary>
    /// Packs op(B)[p0..p0+kc, j0..j0+nc] into ceil(nc/nr) panels of kc x nr (nr values per k step).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void B(bool trans, float* b, int ldb, int p0, int kc, int j0, int nc, int nr, float* dst)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            if (trans)
            {
                // op(B)[p, j] = b[j * ldb + p]: each column is a contiguous run of k.
                float* src = b + (long)(j0 + jr) * ldb + p0;
                for (int j = 0; j < cols; j++)
                {
                    float* col = src + (long)j * ldb;
                    float* d = dst + j;
                    for (int p = 0; p < kc; p++) d[p * nr] = col[p];
                }
                for (int j = cols; j < nr; j++)
                {
                    for (int p = 0; p < kc; p++) dst[p * nr + j] = 0;
                }
                dst += kc * nr;
            }
            else
            {
                float* src = b + (long)p0 * ldb + j0 + jr;
                for (int p = 0; p < kc; p++, src += ldb, dst += nr)
                {
                    if (cols == nr)
                    {
                        // nr is a multiple of 8; a call to Memmove per row would cost more than the copy.
                        for (int j = 0; j < nr; j += 8) Vector256.Store(Vector256.Load(src + j), dst + j);
                    }
                    else
                    {
                        int j = 0;
                        for (; j < cols; j++) dst[j] = src[j];
                        for (; j < nr; j++) dst[j] = 0;
                    }
                }
            }
        }
    }
}
