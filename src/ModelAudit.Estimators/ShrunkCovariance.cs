using System.Numerics.Tensors;

namespace ModelAudit.Estimators;

/// <summary>
/// Ledoit-Wolf shrinkage covariance (Ledoit and Wolf, "A well-conditioned estimator for large-dimensional
/// covariance matrices", J. Multivariate Anal. 2004), with the same shrinkage formula as scikit-learn's
/// ledoit_wolf (biased empirical covariance S = Xc^T Xc / n, target mu I with mu = tr(S) / d).
/// </summary>
/// <param name="Dimensions">d, the number of features.</param>
/// <param name="Shrinkage">Shrinkage s in [0, 1]: Sigma = (1 - s) S + s mu I.</param>
/// <param name="Mu">mu = tr(S) / d.</param>
/// <param name="LogDeterminant">ln det Sigma (natural log); -infinity when Sigma is singular.</param>
internal sealed record ShrunkCovariance(int Dimensions, double Shrinkage, double Mu, double LogDeterminant)
{
    /// <summary>Estimates the shrunk covariance of the rows of <paramref name="x"/>.</summary>
    /// <remarks>
    /// Works on the smaller of S (d x d) and the Gram matrix Xc Xc^T / n (n x n): they share their nonzero
    /// eigenvalues and Frobenius norm, so when n &lt; d, det Sigma = prod_i ((1 - s) lambda_i + s mu) * (s mu)^(d - n).
    /// </remarks>
    internal static ShrunkCovariance Estimate(SampleMatrix x)
    {
        var n = x.Rows;
        var d = x.Cols;
        var centred = CentredRows(x);

        // beta_ of Ledoit-Wolf: sum_i ||x_i||^4.
        var sumFourth = 0.0;
        for (var i = 0; i < n; i++)
        {
            var squaredNorm = TensorPrimitives.SumOfSquares(centred.AsSpan(i * d, d));
            sumFourth += squaredNorm * squaredNorm;
        }

        var (small, size) = n < d ? (Gram(centred, n, d), n) : (Gram(Transpose(centred, n, d), d, n), d);
        for (var i = 0; i < small.Length; i++)
        {
            small[i] /= n;
        }

        var trace = 0.0;
        for (var i = 0; i < size; i++)
        {
            trace += small[i * size + i];
        }

        var frobeniusSquared = TensorPrimitives.SumOfSquares(small);
        var mu = trace / d;
        var beta = (sumFourth / n - frobeniusSquared) / ((double)d * n);
        var delta = (frobeniusSquared - d * mu * mu) / d;
        beta = Math.Min(beta, delta);
        // One feature: the target mu I is S itself; scikit-learn returns shrinkage 0 there too.
        var shrinkage = d == 1 || beta == 0.0 ? 0.0 : beta / delta;

        var eigenvalues = SymmetricEigenvalues.Compute(small, size);
        // When n < d the covariance has d - n eigenvalues equal to 0, which shrink to s mu.
        var logDeterminant = d > size ? (d - size) * Math.Log(shrinkage * mu) : 0.0;
        foreach (var lambda in eigenvalues)
        {
            logDeterminant += Math.Log((1.0 - shrinkage) * Math.Max(0.0, lambda) + shrinkage * mu);
        }

        return new ShrunkCovariance(d, shrinkage, mu, logDeterminant);
    }

    private static double[] CentredRows(SampleMatrix x)
    {
        var n = x.Rows;
        var d = x.Cols;
        var means = new double[d];
        for (var i = 0; i < n; i++)
        {
            for (var c = 0; c < d; c++)
            {
                means[c] += x.Data[i * d + c];
            }
        }

        var centred = new double[n * d];
        for (var i = 0; i < n; i++)
        {
            for (var c = 0; c < d; c++)
            {
                centred[i * d + c] = x.Data[i * d + c] - means[c] / n;
            }
        }

        return centred;
    }

    private static double[] Transpose(double[] values, int rows, int cols)
    {
        var transposed = new double[values.Length];
        for (var i = 0; i < rows; i++)
        {
            for (var c = 0; c < cols; c++)
            {
                transposed[c * rows + i] = values[i * cols + c];
            }
        }

        return transposed;
    }

    /// <summary>G = R R^T for the <paramref name="rows"/> x <paramref name="length"/> matrix R; each entry one dot product.</summary>
    private static double[] Gram(double[] values, int rows, int length)
    {
        var gram = new double[rows * rows];
        Parallel.For(0, rows, i =>
        {
            var rowI = values.AsSpan(i * length, length);
            for (var j = 0; j <= i; j++)
            {
                var dot = VectorMath.Dot(rowI, values.AsSpan(j * length, length));
                gram[i * rows + j] = dot;
                gram[j * rows + i] = dot;
            }
        });
        return gram;
    }
}
