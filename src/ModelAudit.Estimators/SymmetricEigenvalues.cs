using System.Runtime.CompilerServices;

namespace ModelAudit.Estimators;

/// <summary>
/// Eigenvalues of a real symmetric matrix: Householder reduction to tridiagonal form, then the implicit
/// QL iteration with Wilkinson shifts (Golub and Van Loan, Matrix Computations, sections 8.3 and 8.3.5).
/// Eigenvectors are not formed, which is what makes this cheaper than a general EVD.
/// </summary>
/// <remarks>
/// Convergence: an off-diagonal e_m is treated as zero when it is negligible next to its two diagonal
/// neighbours OR next to the norm of the whole tridiagonal matrix (EISPACK tql1's test). The second clause is
/// what keeps rank-deficient matrices working: a Gram matrix of duplicated samples has a multiple zero
/// eigenvalue, which the Householder reduction leaves as a block of rounding noise (diagonal about 1e-19,
/// off-diagonal about 1e-17 for a unit-trace matrix). A test relative only to the neighbours asks that noise
/// to shrink to 1e-35 and never gets there. The reduction itself already perturbs every eigenvalue by about
/// eps * ||A||, so dropping an e_m below that bound costs no accuracy.
/// </remarks>
internal static class SymmetricEigenvalues
{
    // Unit roundoff of double (2^-52).
    private const double MachineEpsilon = 2.220446049250313e-16;

    // Below this trailing size the row-parallel loops cost more in scheduling than they save.
    private const int ParallelThreshold = 192;

    /// <summary>Eigenvalues of the n x n symmetric row-major <paramref name="matrix"/> (overwritten), ascending.</summary>
    /// <param name="matrix">Row-major values; overwritten.</param>
    /// <param name="n">The order.</param>
    /// <param name="cancellationToken">Checked once per Householder step and per eigenvalue, so a large matrix stops promptly.</param>
    internal static double[] Compute(double[] matrix, int n, CancellationToken cancellationToken = default)
    {
        if (matrix.Length != n * n)
        {
            throw new ArgumentException($"Matrix has {matrix.Length} values, expected {n} x {n}.", nameof(matrix));
        }

        var diagonal = new double[n];
        var offDiagonal = new double[n];
        Tridiagonalise(matrix, n, diagonal, offDiagonal, cancellationToken);
        QlImplicit(diagonal, offDiagonal, cancellationToken);
        Array.Sort(diagonal);
        return diagonal;
    }

    /// <summary>
    /// For k = 0..n-3, reflects row/column k of the trailing block onto e_1 with H = I - tau v v^T, and updates
    /// the trailing block B to H B H = B - v w^T - w v^T with p = tau B v, w = p - (tau/2)(v.p) v.
    /// The full block (both triangles) is kept so every step is row dots and row axpys on contiguous memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tridiagonalise(double[] a, int n, double[] diagonal, double[] offDiagonal, CancellationToken cancellationToken)
    {
        var v = new double[n];
        var w = new double[n];
        for (var k = 0; k < n - 2; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            diagonal[k] = a[k * n + k];
            var start = k + 1;
            var m = n - start;
            var x = a.AsSpan(k * n + start, m);
            var norm = Math.Sqrt(VectorMath.Dot(x, x));
            if (norm == 0.0)
            {
                offDiagonal[k] = 0.0;
                continue;
            }

            var alpha = x[0] > 0 ? -norm : norm;
            var vs = v.AsSpan(0, m);
            x.CopyTo(vs);
            vs[0] -= alpha;
            var vNormSquared = VectorMath.Dot(vs, vs);
            offDiagonal[k] = alpha;
            var tau = 2.0 / vNormSquared;

            var ws = w.AsSpan(0, m);
            var block = new TrailingBlock(a, n, start, v, w);
            ForRows(m, (from, to) => block.MultiplyRows(from, to, tau));
            var half = 0.5 * tau * VectorMath.Dot(vs, ws);
            VectorMath.AddScaled(ws, -half, vs);
            ForRows(m, block.SubtractRankTwoRows);
        }

        if (n >= 2)
        {
            diagonal[n - 2] = a[(n - 2) * n + n - 2];
            offDiagonal[n - 2] = a[(n - 2) * n + n - 1];
        }

        diagonal[n - 1] = a[n * n - 1];
        offDiagonal[n - 1] = 0.0;
    }

    /// <summary>Runs <paramref name="body"/> on row ranges: whole below the threshold, else two halves, one per core.</summary>
    private static void ForRows(int rows, Action<int, int> body)
    {
        if (rows < ParallelThreshold)
        {
            body(0, rows);
            return;
        }

        // Each row is written by exactly one task, so the result does not depend on scheduling.
        var chunk = (rows + 1) / 2;
        Parallel.For(0, 2, part => body(part * chunk, Math.Min(rows, (part + 1) * chunk)));
    }

    /// <summary>The trailing block of one Householder step and its vectors v and w (both of the block's size).</summary>
    private sealed class TrailingBlock(double[] a, int n, int start, double[] v, double[] w)
    {
        private int Size => n - start;

        /// <summary>w_i = tau * (B v)_i for block rows [from, to).</summary>
        // Optimised at first call: these run a handful of times per step, too few for tiering to catch up on cold runs.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal void MultiplyRows(int from, int to, double tau)
        {
            var m = Size;
            var vs = v.AsSpan(0, m);
            for (var i = from; i < to; i++)
            {
                w[i] = tau * VectorMath.Dot(a.AsSpan((start + i) * n + start, m), vs);
            }
        }

        /// <summary>B_i -= v_i w + w_i v for block rows [from, to).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal void SubtractRankTwoRows(int from, int to)
        {
            var m = Size;
            var vs = v.AsSpan(0, m);
            var ws = w.AsSpan(0, m);
            for (var i = from; i < to; i++)
            {
                var row = a.AsSpan((start + i) * n + start, m);
                VectorMath.AddScaled(row, -v[i], ws);
                VectorMath.AddScaled(row, -w[i], vs);
            }
        }
    }

    /// <summary>
    /// Implicit QL on the tridiagonal matrix with <paramref name="d"/> on the diagonal and e[i] between
    /// rows i and i+1; leaves the eigenvalues in d.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void QlImplicit(double[] d, double[] e, CancellationToken cancellationToken)
    {
        var n = d.Length;
        // Infinity-norm bound of the tridiagonal matrix: the floor below which an off-diagonal is rounding noise.
        var norm = 0.0;
        for (var i = 0; i < n; i++)
        {
            norm = Math.Max(norm, Math.Abs(d[i]) + Math.Abs(e[i]) + (i > 0 ? Math.Abs(e[i - 1]) : 0.0));
        }

        var floor = MachineEpsilon * norm;
        for (var l = 0; l < n; l++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var iteration = 0; ; iteration++)
            {
                var m = l;
                for (; m < n - 1; m++)
                {
                    var scale = Math.Abs(d[m]) + Math.Abs(d[m + 1]);
                    if (Math.Abs(e[m]) <= double.Epsilon + 1e-16 * scale || Math.Abs(e[m]) <= floor)
                    {
                        break;
                    }
                }

                if (m == l)
                {
                    break;
                }

                if (iteration == 100)
                {
                    throw new InvalidOperationException("Tridiagonal QL iteration did not converge.");
                }

                var g = (d[l + 1] - d[l]) / (2.0 * e[l]);
                var r = Hypot(g, 1.0);
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
                double s = 1.0, c = 1.0, p = 0.0;
                var deflated = false;
                for (var i = m - 1; i >= l; i--)
                {
                    var f = s * e[i];
                    var b = c * e[i];
                    r = Hypot(f, g);
                    e[i + 1] = r;
                    if (r == 0.0)
                    {
                        // Underflow split the matrix: drop the shift and restart from the new block.
                        d[i + 1] -= p;
                        e[m] = 0.0;
                        deflated = true;
                        break;
                    }

                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2.0 * c * b;
                    p = s * r;
                    d[i + 1] = g + p;
                    g = c * r - b;
                }

                if (deflated)
                {
                    continue;
                }

                d[l] -= p;
                e[l] = g;
                e[m] = 0.0;
            }
        }
    }

    private static double Hypot(double a, double b)
    {
        var absA = Math.Abs(a);
        var absB = Math.Abs(b);
        if (absA > absB)
        {
            var ratio = absB / absA;
            return absA * Math.Sqrt(1.0 + ratio * ratio);
        }

        if (absB == 0.0)
        {
            return 0.0;
        }

        var inverse = absA / absB;
        return absB * Math.Sqrt(1.0 + inverse * inverse);
    }
}
