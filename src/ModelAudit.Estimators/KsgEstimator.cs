using MathNet.Numerics;

namespace ModelAudit.Estimators;

/// <summary>
/// k-nearest-neighbour estimators under the max-norm: Kraskov, Stoegbauer and Grassberger, "Estimating mutual
/// information", Phys. Rev. E 69, 066138 (2004), algorithm 1; Ross, "Mutual information between discrete and
/// continuous data sets", PLoS ONE 9(2) 2014, for discrete labels (what scikit-learn's mutual_info_classif uses);
/// Kozachenko-Leonenko for entropy.
/// </summary>
/// <remarks>
/// <para>Distances are max-norms: within a matrix max_c |x_ic - x_jc|, in the joint space the larger of the two.</para>
/// <para>KSG: eps_i = distance from i to its k-th neighbour in the joint space, n_x(i) = #{j != i : ||x_i - x_j|| &lt; eps_i},
/// likewise n_y; I = psi(k) + psi(N) - mean_i [psi(n_x(i) + 1) + psi(n_y(i) + 1)] nats.</para>
/// <para>Ross: per class c of size N_c &gt; 1, k_c = min(k, N_c - 1), eps_i = distance to the k_c-th neighbour within the class,
/// m_i = #{j : ||c_i - c_j|| &lt; eps_i} over all kept samples including i; samples of singleton classes are dropped
/// and N counts the rest. I = psi(N) + mean psi(k_i) - mean psi(N_{c_i}) - mean psi(m_i) nats.</para>
/// <para>Both follow scikit-learn's _compute_mi_cc/_compute_mi_cd: counts use radius nextafter(eps, 0), and a negative
/// estimate is reported as 0. Results are converted to bits.</para>
/// <para>Entropy (Kozachenko-Leonenko, max-norm ball volume (2r)^d): H = psi(N) - psi(k) + d mean_i ln(2 r_i) nats with
/// r_i the k-th neighbour distance. Differential entropy depends on units, so it is never standardized (jitter only).</para>
/// <para>Preprocessing, as scikit-learn's mutual_info_regression/classif: each column is scaled to unit variance
/// (<see cref="KsgOptions.Standardize"/>), then ties are broken with the noise <see cref="KsgOptions.JitterScale"/> describes
/// (the same 1e-10 relative amount; the random stream is ours, a seeded System.Random with Box-Muller, not numpy's).
/// Defaults: k = 3, standardize, jitter 1e-10, seed 0.
/// Cost: brute force, O(N^2 d) per estimate, rows in parallel.</para>
/// </remarks>
public sealed class KsgEstimator : IMutualInformationEstimator
{
    /// <summary>Creates the estimator with <paramref name="options"/> (defaults when null).</summary>
    public KsgEstimator(KsgOptions? options = null)
    {
        Options = options ?? new KsgOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.Neighbors);
        ArgumentOutOfRangeException.ThrowIfNegative(Options.JitterScale);
    }

    /// <summary>The settings in use.</summary>
    public KsgOptions Options { get; }

    /// <inheritdoc />
    public string Name => "ksg";

    /// <inheritdoc />
    public double Entropy(SampleMatrix x)
    {
        var n = x.Rows;
        var k = Options.Neighbors;
        RequireMoreRowsThanNeighbors(n, k);
        // Differential entropy is not scale invariant, so the data keep their units here.
        var values = Jittered(x, Options.Seed, standardize: false);
        var logTwiceRadius = new double[n];
        Parallel.For(0, n, () => new double[n], (i, _, distances) =>
        {
            MaxNormDistances(values, x.Cols, i, distances);
            logTwiceRadius[i] = Math.Log(2.0 * KthSmallestExcluding(distances, i, k));
            return distances;
        }, _ => { });
        var nats = SpecialFunctions.DiGamma(n) - SpecialFunctions.DiGamma(k) + x.Cols * Mean(logTwiceRadius);
        return Bits.FromNats(nats);
    }

    /// <inheritdoc />
    public double MutualInformation(SampleMatrix a, SampleMatrix b)
    {
        SampleMatrix.RequireSameRows(b, a.Rows);
        var n = a.Rows;
        var k = Options.Neighbors;
        RequireMoreRowsThanNeighbors(n, k);
        var valuesA = Jittered(a, Options.Seed, Options.Standardize);
        var valuesB = Jittered(b, Options.Seed + 1, Options.Standardize);
        var digammaSums = new double[n];
        Parallel.For(0, n, () => (new double[n], new double[n], new double[n]), (i, _, buffers) =>
        {
            var (distancesA, distancesB, joint) = buffers;
            MaxNormDistances(valuesA, a.Cols, i, distancesA);
            MaxNormDistances(valuesB, b.Cols, i, distancesB);
            for (var j = 0; j < n; j++)
            {
                joint[j] = Math.Max(distancesA[j], distancesB[j]);
            }

            var radius = CountingRadius(KthSmallestExcluding(joint, i, k));
            // Counts include i itself (distance 0), so count - 1 + 1 = count goes into psi.
            digammaSums[i] = SpecialFunctions.DiGamma(CountWithin(distancesA, radius))
                + SpecialFunctions.DiGamma(CountWithin(distancesB, radius));
            return buffers;
        }, _ => { });
        var nats = SpecialFunctions.DiGamma(n) + SpecialFunctions.DiGamma(k) - Mean(digammaSums);
        return Bits.FromNats(Math.Max(0.0, nats));
    }

    /// <inheritdoc />
    public double MutualInformation(SampleMatrix a, int[] labels)
    {
        var groups = LabelGroups.Of(labels, a.Rows);
        var values = Jittered(a, Options.Seed, Options.Standardize);
        var kept = groups.RowsOfClass.Where(rows => rows.Length > 1).SelectMany(rows => rows).Order().ToArray();
        if (kept.Length == 0)
        {
            return 0.0;
        }

        var classSize = new int[a.Rows];
        foreach (var rows in groups.RowsOfClass)
        {
            foreach (var row in rows)
            {
                classSize[row] = rows.Length;
            }
        }

        var classOf = new int[a.Rows];
        for (var c = 0; c < groups.RowsOfClass.Length; c++)
        {
            foreach (var row in groups.RowsOfClass[c])
            {
                classOf[row] = c;
            }
        }

        var terms = new double[kept.Length];
        var n = a.Rows;
        Parallel.For(0, kept.Length, () => (new double[n], new double[n]), (p, _, buffers) =>
        {
            var (distances, within) = buffers;
            var i = kept[p];
            MaxNormDistances(values, a.Cols, i, distances);
            var sameClass = groups.RowsOfClass[classOf[i]];
            var count = 0;
            foreach (var j in sameClass)
            {
                within[count++] = distances[j];
            }

            var k = Math.Min(Options.Neighbors, sameClass.Length - 1);
            var radius = CountingRadius(KthSmallestExcluding(within.AsSpan(0, count), Array.IndexOf(sameClass, i), k));
            var m = 0;
            foreach (var j in kept)
            {
                if (distances[j] <= radius)
                {
                    m++;
                }
            }

            terms[p] = SpecialFunctions.DiGamma(k) - SpecialFunctions.DiGamma(classSize[i]) - SpecialFunctions.DiGamma(m);
            return buffers;
        }, _ => { });
        var nats = SpecialFunctions.DiGamma(kept.Length) + Mean(terms);
        return Bits.FromNats(Math.Max(0.0, nats));
    }

    /// <summary>The matrix in double precision, standardized if asked, with the tie-breaking jitter added.</summary>
    internal double[] Jittered(SampleMatrix x, int seed, bool standardize)
    {
        var values = new double[x.Data.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = x.Data[i];
        }

        if (standardize)
        {
            ScaleToUnitVariance(values, x.Rows, x.Cols);
        }

        if (Options.JitterScale == 0.0)
        {
            return values;
        }

        var columnScale = new double[x.Cols];
        for (var i = 0; i < x.Rows; i++)
        {
            for (var c = 0; c < x.Cols; c++)
            {
                columnScale[c] += Math.Abs(values[i * x.Cols + c]);
            }
        }

        for (var c = 0; c < x.Cols; c++)
        {
            columnScale[c] = Options.JitterScale * Math.Max(1.0, columnScale[c] / x.Rows);
        }

        var noise = new SeededGaussian(seed);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] += columnScale[i % x.Cols] * noise.Next();
        }

        return values;
    }

    private static void ScaleToUnitVariance(double[] values, int rows, int cols)
    {
        for (var c = 0; c < cols; c++)
        {
            double sum = 0.0;
            for (var i = 0; i < rows; i++)
            {
                sum += values[i * cols + c];
            }

            var mean = sum / rows;
            var squares = 0.0;
            for (var i = 0; i < rows; i++)
            {
                var deviation = values[i * cols + c] - mean;
                squares += deviation * deviation;
            }

            var std = Math.Sqrt(squares / rows);
            if (std == 0.0)
            {
                continue;
            }

            for (var i = 0; i < rows; i++)
            {
                values[i * cols + c] /= std;
            }
        }
    }

    /// <summary>scikit-learn counts neighbours within nextafter(eps, 0) inclusive, i.e. strictly closer than eps.</summary>
    private static double CountingRadius(double eps) => eps > 0 ? Math.BitDecrement(eps) : 0.0;

    private static int CountWithin(double[] distances, double radius)
    {
        var count = 0;
        foreach (var distance in distances)
        {
            if (distance <= radius)
            {
                count++;
            }
        }

        return count;
    }

    private static void MaxNormDistances(double[] values, int cols, int row, double[] distances)
    {
        var n = distances.Length;
        if (cols == 1)
        {
            var v = values[row];
            for (var j = 0; j < n; j++)
            {
                distances[j] = Math.Abs(values[j] - v);
            }

            return;
        }

        var reference = values.AsSpan(row * cols, cols);
        for (var j = 0; j < n; j++)
        {
            distances[j] = VectorMath.MaxAbsDifference(values.AsSpan(j * cols, cols), reference);
        }
    }

    /// <summary>The k-th smallest of <paramref name="distances"/> leaving out position <paramref name="self"/>.</summary>
    private static double KthSmallestExcluding(ReadOnlySpan<double> distances, int self, int k)
    {
        // Insertion into a sorted list of the k smallest: k is small, so this beats a full selection.
        Span<double> smallest = k <= 64 ? stackalloc double[k] : new double[k];
        smallest.Fill(double.PositiveInfinity);
        for (var j = 0; j < distances.Length; j++)
        {
            var distance = distances[j];
            if (j == self || distance >= smallest[k - 1])
            {
                continue;
            }

            var position = k - 1;
            while (position > 0 && smallest[position - 1] > distance)
            {
                smallest[position] = smallest[position - 1];
                position--;
            }

            smallest[position] = distance;
        }

        return smallest[k - 1];
    }

    private static double Mean(double[] values)
    {
        var sum = 0.0;
        foreach (var value in values)
        {
            sum += value;
        }

        return sum / values.Length;
    }

    private static void RequireMoreRowsThanNeighbors(int rows, int k)
    {
        if (rows <= k)
        {
            throw new ArgumentException($"KSG needs more than k = {k} samples, got {rows}.");
        }
    }
}
