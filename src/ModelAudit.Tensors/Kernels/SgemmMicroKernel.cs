using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// Register-tiled SGEMM inner kernels over packed panels (A: MR values per k step, B: NR values per k step).
/// Accumulators stay in registers for the whole kc loop; each C element is one FMA chain in p order.
/// </summary>
/// <remarks>
/// Every AggressiveOptimization kernel in this assembly is also NoInlining (a test holds them to it): dynamic PGO
/// otherwise inlines a hot kernel into its tier-1 caller, where the tile's 24 accumulators spill. resnet18's
/// one-thread forward went from 145 ms to 166-255 ms once its callers tiered up, whichever were recompiled.
/// </remarks>
internal static unsafe class SgemmMicroKernel
{
    /// <summary>Columns of a packed B panel read by the 6-row kernels (each k step advances this far).</summary>
    internal const int PanelWidth = 64;

    /// <summary>6x64 tile with Vector512 (24 zmm accumulators, 4 loads of B and 6 broadcasts of A per step): C[0..6, 0..64] = alpha * sum_p A[:,p] B[p,:] + beta * C (C not read when beta is 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Avx512(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
        => Avx512(kc, a, b, c, ldc, alpha, beta, null, null, false);

    /// <summary>
    /// The 6x64 tile with the convolution epilogue applied in registers before the one store: C = alpha * sum + beta * C,
    /// then + <paramref name="rowBias"/>[r] (6 values, or null; beta must be 0), + the residual tile (row stride
    /// <paramref name="ldc"/>, or null), then max(C, 0) when <paramref name="relu"/>: the operations of
    /// <see cref="GemmEpilogue"/>'s separate passes in the same order, so bit-identical to them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Avx512(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, float* rowBias, float* residual, bool relu)
        => Avx512(kc, a, new PackedPanel(b), c, ldc, alpha, beta, rowBias, residual, relu);

    /// <summary>
    /// The 6x64 tile reading B's 64 columns at each k step from <typeparamref name="TRows"/> (a packed panel, or the
    /// rows of an unpacked B in place), with the epilogue of <see cref="Avx512(int, float*, float*, float*, int, float, float, float*, float*, bool)"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Avx512<TRows>(int kc, float* a, TRows b, float* c, int ldc, float alpha, float beta, float* rowBias, float* residual, bool relu)
        where TRows : struct, IPanelRows
    {
        Vector512<float> c0_0 = default, c0_1 = default, c0_2 = default, c0_3 = default;
        Vector512<float> c1_0 = default, c1_1 = default, c1_2 = default, c1_3 = default;
        Vector512<float> c2_0 = default, c2_1 = default, c2_2 = default, c2_3 = default;
        Vector512<float> c3_0 = default, c3_1 = default, c3_2 = default, c3_3 = default;
        Vector512<float> c4_0 = default, c4_1 = default, c4_2 = default, c4_3 = default;
        Vector512<float> c5_0 = default, c5_1 = default, c5_2 = default, c5_3 = default;
        for (int p = 0; p < kc; p++)
        {
            float* row = b.Next();
            Vector512<float> b0 = Vector512.Load(row + 0); Vector512<float> b1 = Vector512.Load(row + 16); Vector512<float> b2 = Vector512.Load(row + 32); Vector512<float> b3 = Vector512.Load(row + 48);
            Vector512<float> av;
            av = Vector512.Create(a[0]); c0_0 = Avx512F.FusedMultiplyAdd(av, b0, c0_0); c0_1 = Avx512F.FusedMultiplyAdd(av, b1, c0_1); c0_2 = Avx512F.FusedMultiplyAdd(av, b2, c0_2); c0_3 = Avx512F.FusedMultiplyAdd(av, b3, c0_3);
            av = Vector512.Create(a[1]); c1_0 = Avx512F.FusedMultiplyAdd(av, b0, c1_0); c1_1 = Avx512F.FusedMultiplyAdd(av, b1, c1_1); c1_2 = Avx512F.FusedMultiplyAdd(av, b2, c1_2); c1_3 = Avx512F.FusedMultiplyAdd(av, b3, c1_3);
            av = Vector512.Create(a[2]); c2_0 = Avx512F.FusedMultiplyAdd(av, b0, c2_0); c2_1 = Avx512F.FusedMultiplyAdd(av, b1, c2_1); c2_2 = Avx512F.FusedMultiplyAdd(av, b2, c2_2); c2_3 = Avx512F.FusedMultiplyAdd(av, b3, c2_3);
            av = Vector512.Create(a[3]); c3_0 = Avx512F.FusedMultiplyAdd(av, b0, c3_0); c3_1 = Avx512F.FusedMultiplyAdd(av, b1, c3_1); c3_2 = Avx512F.FusedMultiplyAdd(av, b2, c3_2); c3_3 = Avx512F.FusedMultiplyAdd(av, b3, c3_3);
            av = Vector512.Create(a[4]); c4_0 = Avx512F.FusedMultiplyAdd(av, b0, c4_0); c4_1 = Avx512F.FusedMultiplyAdd(av, b1, c4_1); c4_2 = Avx512F.FusedMultiplyAdd(av, b2, c4_2); c4_3 = Avx512F.FusedMultiplyAdd(av, b3, c4_3);
            av = Vector512.Create(a[5]); c5_0 = Avx512F.FusedMultiplyAdd(av, b0, c5_0); c5_1 = Avx512F.FusedMultiplyAdd(av, b1, c5_1); c5_2 = Avx512F.FusedMultiplyAdd(av, b2, c5_2); c5_3 = Avx512F.FusedMultiplyAdd(av, b3, c5_3);
            a += 6;
        }
        Vector512<float> alphaV = Vector512.Create(alpha);
        StoreRow(c + 0 * ldc, c0_0, c0_1, c0_2, c0_3, alphaV, beta, rowBias, 0, residual, relu);
        StoreRow(c + 1 * ldc, c1_0, c1_1, c1_2, c1_3, alphaV, beta, rowBias, 1, residual == null ? null : residual + 1 * ldc, relu);
        StoreRow(c + 2 * ldc, c2_0, c2_1, c2_2, c2_3, alphaV, beta, rowBias, 2, residual == null ? null : residual + 2 * ldc, relu);
        StoreRow(c + 3 * ldc, c3_0, c3_1, c3_2, c3_3, alphaV, beta, rowBias, 3, residual == null ? null : residual + 3 * ldc, relu);
        StoreRow(c + 4 * ldc, c4_0, c4_1, c4_2, c4_3, alphaV, beta, rowBias, 4, residual == null ? null : residual + 4 * ldc, relu);
        StoreRow(c + 5 * ldc, c5_0, c5_1, c5_2, c5_3, alphaV, beta, rowBias, 5, residual == null ? null : residual + 5 * ldc, relu);
    }

    /// <summary>One 64-wide row of a tile: scale (and blend with C), bias, residual, ReLU, store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3,
        Vector512<float> alphaV, float beta, float* rowBias, int row, float* residual, bool relu)
    {
        Finish(c + 0, v0, alphaV, beta, rowBias, row, residual, 0, relu);
        Finish(c + 16, v1, alphaV, beta, rowBias, row, residual, 16, relu);
        Finish(c + 32, v2, alphaV, beta, rowBias, row, residual, 32, relu);
        Finish(c + 48, v3, alphaV, beta, rowBias, row, residual, 48, relu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(float* c, Vector512<float> acc, Vector512<float> alphaV, float beta, float* rowBias, int row, float* residual, int column, bool relu)
    {
        Vector512<float> v = beta == 0 ? alphaV * acc : Avx512F.FusedMultiplyAdd(acc, alphaV, Vector512.Create(beta) * Vector512.Load(c));
        if (rowBias != null) v += Vector512.Create(rowBias[row]);
        if (residual != null) v += Vector512.Load(residual + column);
        if (relu) v = Vector512.Max(v, Vector512<float>.Zero);
        Vector512.Store(v, c);
    }

    /// <summary>The first 32 columns of a 64-wide panel (a ragged last panel), 6 rows: the raw sums into <paramref name="tile"/> (row stride <paramref name="ldt"/>), same order per element.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Avx512Columns32(int kc, float* a, float* b, float* tile, int ldt)
    {
        Vector512<float> c0_0 = default, c0_1 = default;
        Vector512<float> c1_0 = default, c1_1 = default;
        Vector512<float> c2_0 = default, c2_1 = default;
        Vector512<float> c3_0 = default, c3_1 = default;
        Vector512<float> c4_0 = default, c4_1 = default;
        Vector512<float> c5_0 = default, c5_1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0); Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> av;
            av = Vector512.Create(a[0]); c0_0 = Avx512F.FusedMultiplyAdd(av, b0, c0_0); c0_1 = Avx512F.FusedMultiplyAdd(av, b1, c0_1);
            av = Vector512.Create(a[1]); c1_0 = Avx512F.FusedMultiplyAdd(av, b0, c1_0); c1_1 = Avx512F.FusedMultiplyAdd(av, b1, c1_1);
            av = Vector512.Create(a[2]); c2_0 = Avx512F.FusedMultiplyAdd(av, b0, c2_0); c2_1 = Avx512F.FusedMultiplyAdd(av, b1, c2_1);
            av = Vector512.Create(a[3]); c3_0 = Avx512F.FusedMultiplyAdd(av, b0, c3_0); c3_1 = Avx512F.FusedMultiplyAdd(av, b1, c3_1);
            av = Vector512.Create(a[4]); c4_0 = Avx512F.FusedMultiplyAdd(av, b0, c4_0); c4_1 = Avx512F.FusedMultiplyAdd(av, b1, c4_1);
            av = Vector512.Create(a[5]); c5_0 = Avx512F.FusedMultiplyAdd(av, b0, c5_0); c5_1 = Avx512F.FusedMultiplyAdd(av, b1, c5_1);
            a += 6;
            b += PanelWidth;
        }
        Vector512.Store(c0_0, tile + 0 * ldt + 0); Vector512.Store(c0_1, tile + 0 * ldt + 16);
        Vector512.Store(c1_0, tile + 1 * ldt + 0); Vector512.Store(c1_1, tile + 1 * ldt + 16);
        Vector512.Store(c2_0, tile + 2 * ldt + 0); Vector512.Store(c2_1, tile + 2 * ldt + 16);
        Vector512.Store(c3_0, tile + 3 * ldt + 0); Vector512.Store(c3_1, tile + 3 * ldt + 16);
        Vector512.Store(c4_0, tile + 4 * ldt + 0); Vector512.Store(c4_1, tile + 4 * ldt + 16);
        Vector512.Store(c5_0, tile + 5 * ldt + 0); Vector512.Store(c5_1, tile + 5 * ldt + 16);
    }

    /// <summary>The first 16 columns of a 64-wide panel (a ragged last panel), 6 rows: the raw sums into <paramref name="tile"/> (row stride <paramref name="ldt"/>), same order per element.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Avx512Columns16(int kc, float* a, float* b, float* tile, int ldt)
    {
        Vector512<float> c0_0 = default;
        Vector512<float> c1_0 = default;
        Vector512<float> c2_0 = default;
        Vector512<float> c3_0 = default;
        Vector512<float> c4_0 = default;
        Vector512<float> c5_0 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> av;
            av = Vector512.Create(a[0]); c0_0 = Avx512F.FusedMultiplyAdd(av, b0, c0_0);
            av = Vector512.Create(a[1]); c1_0 = Avx512F.FusedMultiplyAdd(av, b0, c1_0);
            av = Vector512.Create(a[2]); c2_0 = Avx512F.FusedMultiplyAdd(av, b0, c2_0);
            av = Vector512.Create(a[3]); c3_0 = Avx512F.FusedMultiplyAdd(av, b0, c3_0);
            av = Vector512.Create(a[4]); c4_0 = Avx512F.FusedMultiplyAdd(av, b0, c4_0);
            av = Vector512.Create(a[5]); c5_0 = Avx512F.FusedMultiplyAdd(av, b0, c5_0);
            a += 6;
            b += PanelWidth;
        }
        Vector512.Store(c0_0, tile + 0 * ldt + 0);
        Vector512.Store(c1_0, tile + 1 * ldt + 0);
        Vector512.Store(c2_0, tile + 2 * ldt + 0);
        Vector512.Store(c3_0, tile + 3 * ldt + 0);
        Vector512.Store(c4_0, tile + 4 * ldt + 0);
        Vector512.Store(c5_0, tile + 5 * ldt + 0);
    }

    /// <summary>6x16 tile with Vector256: C[0..6, 0..16] = alpha * sum_p A[:,p] B[p,:] + beta * C (C not read when beta is 0).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Avx2(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
    {
        Vector256<float> c0_0 = default, c0_1 = default;
        Vector256<float> c1_0 = default, c1_1 = default;
        Vector256<float> c2_0 = default, c2_1 = default;
        Vector256<float> c3_0 = default, c3_1 = default;
        Vector256<float> c4_0 = default, c4_1 = default;
        Vector256<float> c5_0 = default, c5_1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b + 0); Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> av;
            av = Vector256.Create(a[0]); c0_0 = Fma.MultiplyAdd(av, b0, c0_0); c0_1 = Fma.MultiplyAdd(av, b1, c0_1);
            av = Vector256.Create(a[1]); c1_0 = Fma.MultiplyAdd(av, b0, c1_0); c1_1 = Fma.MultiplyAdd(av, b1, c1_1);
            av = Vector256.Create(a[2]); c2_0 = Fma.MultiplyAdd(av, b0, c2_0); c2_1 = Fma.MultiplyAdd(av, b1, c2_1);
            av = Vector256.Create(a[3]); c3_0 = Fma.MultiplyAdd(av, b0, c3_0); c3_1 = Fma.MultiplyAdd(av, b1, c3_1);
            av = Vector256.Create(a[4]); c4_0 = Fma.MultiplyAdd(av, b0, c4_0); c4_1 = Fma.MultiplyAdd(av, b1, c4_1);
            av = Vector256.Create(a[5]); c5_0 = Fma.MultiplyAdd(av, b0, c5_0); c5_1 = Fma.MultiplyAdd(av, b1, c5_1);
            a += 6;
            b += 16;
        }
        Vector256<float> alphaV = Vector256.Create(alpha);
        if (beta == 0)
        {
            Vector256.Store(alphaV * c0_0, c + 0 * ldc + 0); Vector256.Store(alphaV * c0_1, c + 0 * ldc + 8);
            Vector256.Store(alphaV * c1_0, c + 1 * ldc + 0); Vector256.Store(alphaV * c1_1, c + 1 * ldc + 8);
            Vector256.Store(alphaV * c2_0, c + 2 * ldc + 0); Vector256.Store(alphaV * c2_1, c + 2 * ldc + 8);
            Vector256.Store(alphaV * c3_0, c + 3 * ldc + 0); Vector256.Store(alphaV * c3_1, c + 3 * ldc + 8);
            Vector256.Store(alphaV * c4_0, c + 4 * ldc + 0); Vector256.Store(alphaV * c4_1, c + 4 * ldc + 8);
            Vector256.Store(alphaV * c5_0, c + 5 * ldc + 0); Vector256.Store(alphaV * c5_1, c + 5 * ldc + 8);
        }
        else
        {
            Vector256<float> betaV = Vector256.Create(beta);
            Update(c + 0 * ldc + 0, c0_0, alphaV, betaV); Update(c + 0 * ldc + 8, c0_1, alphaV, betaV);
            Update(c + 1 * ldc + 0, c1_0, alphaV, betaV); Update(c + 1 * ldc + 8, c1_1, alphaV, betaV);
            Update(c + 2 * ldc + 0, c2_0, alphaV, betaV); Update(c + 2 * ldc + 8, c2_1, alphaV, betaV);
            Update(c + 3 * ldc + 0, c3_0, alphaV, betaV); Update(c + 3 * ldc + 8, c3_1, alphaV, betaV);
            Update(c + 4 * ldc + 0, c4_0, alphaV, betaV); Update(c + 4 * ldc + 8, c4_1, alphaV, betaV);
            Update(c + 5 * ldc + 0, c5_0, alphaV, betaV); Update(c + 5 * ldc + 8, c5_1, alphaV, betaV);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* c, Vector256<float> acc, Vector256<float> alphaV, Vector256<float> betaV)
        => Vector256.Store(Fma.MultiplyAdd(acc, alphaV, betaV * Vector256.Load(c)), c);

    /// <summary>Where a 6x64 micro-kernel finds B's 64 columns for each k step, in order (struct implementations inline).</summary>
    internal interface IPanelRows
    {
        /// <summary>The current k step's 64 floats; moves to the next step.</summary>
        float* Next();
    }

    /// <summary>A packed panel: k steps of 64 contiguous floats.</summary>
    internal struct PackedPanel(float* panel) : IPanelRows
    {
        private float* _next = panel;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float* Next()
        {
            float* row = _next;
            _next += PanelWidth;
            return row;
        }
    }

    /// <summary>B in place, stored row-major: step p reads 64 floats from column <c>column</c> of row p (row stride <c>ldb</c>).</summary>
    internal struct StridedRows(float* firstRow, long ldb) : IPanelRows
    {
        private float* _next = firstRow;
        private readonly long _ldb = ldb;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float* Next()
        {
            float* row = _next;
            _next += _ldb;
            return row;
        }
    }

    /// <summary>B in place: step p reads 64 floats from column <c>column</c> of the row at <c>rows[p]</c> (no packing copy).</summary>
    internal struct RowPointers(float** rows, int column) : IPanelRows
    {
        private float** _rows = rows;
        private readonly int _column = column;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float* Next() => *_rows++ + _column;
    }
}
