using MathNet.Numerics.LinearAlgebra;

namespace ModelAudit.Estimators.Tests;

public sealed class SymmetricEigenvaluesTests
{
    [Fact]
    public void Compute_Random40_MatchesNumpyEigvalsh()
    {
        var golden = Goldens.Get("eigen");
        var n = golden.GetProperty("n").GetInt32();
        var actual = SymmetricEigenvalues.Compute(golden.GetProperty("matrix").Doubles(), n);
        Precision.AssertClose(golden.GetProperty("eigenvalues").Doubles(), actual, relTol: 1e-12);
    }

    [Fact]
    public void Compute_Random400OnTheParallelPath_MatchesMathNetEvd()
    {
        const int n = 400;
        var matrix = RandomSymmetric(n, seed: 5);
        var expected = Matrix<double>.Build.Dense(n, n, (i, j) => matrix[i * n + j]).Evd(Symmetricity.Symmetric)
            .EigenValues.Select(c => c.Real).Order().ToArray();
        Precision.AssertClose(expected, SymmetricEigenvalues.Compute((double[])matrix.Clone(), n), relTol: 1e-11);
    }

    [Fact]
    public void Compute_Random300_PreservesTraceAndFrobeniusNorm()
    {
        const int n = 300;
        var matrix = RandomSymmetric(n, seed: 9);
        var trace = Enumerable.Range(0, n).Sum(i => matrix[i * n + i]);
        var frobeniusSquared = matrix.Sum(v => v * v);
        var eigenvalues = SymmetricEigenvalues.Compute((double[])matrix.Clone(), n);
        Precision.AssertClose(trace, eigenvalues.Sum(), relTol: 1e-10);
        Precision.AssertClose(frobeniusSquared, eigenvalues.Sum(v => v * v), relTol: 1e-12);
    }

    [Fact]
    public void Compute_BlockOfOnesAndZeroRows_GivesBlockSizesAndZeros()
    {
        // Ones on a 3-block and a 2-block, a zero row: eigenvalues 3, 2 and four zeros (exercises the zero-column skip).
        const int n = 6;
        var matrix = new double[n * n];
        int[] block = [0, 0, 0, 1, 1, 2];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                matrix[i * n + j] = block[i] == block[j] && block[i] < 2 ? 1 : 0;
            }
        }

        var eigenvalues = SymmetricEigenvalues.Compute(matrix, n);
        Precision.AssertClose([0, 0, 0, 0, 2, 3], eigenvalues, relTol: 1e-14);
    }

    private static double[] RandomSymmetric(int n, int seed)
    {
        var random = new Random(seed);
        var matrix = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                matrix[i * n + j] = matrix[j * n + i] = random.NextDouble() * 2 - 1;
            }
        }

        return matrix;
    }
}
