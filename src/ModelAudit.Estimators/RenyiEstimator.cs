namespace ModelAudit.Estimators;

/// <summary>
/// Matrix-based Renyi alpha-order entropy (Giraldo, Rao and Principe, "Measures of entropy from data using
/// infinitely divisible kernels", IEEE Trans. Inf. Theory 2015; Yu and Principe, "Understanding
/// autoencoders with information theoretic concepts", Neural Networks 2019).
/// </summary>
/// <remarks>
/// <para>Gram matrix K_ij = exp(-||x_i - x_j||^2 / (2 sigma^2)), normalised A = K / tr(K) (= K / n since K_ii = 1).
/// Entropy S_alpha(A) = 1/(1 - alpha) log2(sum_i lambda_i(A)^alpha) bits, with the eigenvalues clamped at 0;
/// for alpha = 1 it is -sum_i lambda_i log2 lambda_i.</para>
/// <para>Joint entropy S_alpha(A o B / tr(A o B)) with o the Hadamard product; MI = S(A) + S(B) - S(A, B).</para>
/// <para>Labels use the delta kernel K_ij = 1 if y_i = y_j else 0, whose entropy is exactly the Renyi entropy
/// of the class proportions.</para>
/// <para>Width: the given <see cref="RenyiOptions.Sigma"/>, otherwise sigma = gamma * s * sqrt(d) * n^(-1/(4+d)) with s the
/// root of the mean (biased) per-feature variance and d the feature count. For d = 1 this is Scott's rule; the
/// sqrt(d) keeps the typical kernel value exp(-||x_i - x_j||^2 / (2 sigma^2)) near exp(-1) in high dimension instead of
/// collapsing K to the identity (which would report log2 n for every layer).</para>
/// <para>Cost: an n x n Gram product (O(n^2 d)) and a symmetric eigenvalue problem (O(n^3)) per matrix.</para>
/// </remarks>
public sealed class RenyiEstimator : IPreparedEstimator
{
    /// <summary>Creates the estimator with <paramref name="options"/> (defaults when null).</summary>
    public RenyiEstimator(RenyiOptions? options = null)
    {
        Options = options ?? new RenyiOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.Alpha);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.Gamma);
        if (Options.Sigma is { } sigma)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sigma);
        }
    }

    /// <summary>The settings in use.</summary>
    public RenyiOptions Options { get; }

    /// <inheritdoc />
    public string Name => "renyi";

    /// <inheritdoc />
    public double Entropy(SampleMatrix x) => EntropyOfGram(NormalisedGram(x), x.Rows);

    /// <inheritdoc />
    public double MutualInformation(SampleMatrix a, SampleMatrix b)
    {
        SampleMatrix.RequireSameRows(b, a.Rows);
        return MutualInformationOfGrams(NormalisedGram(a), NormalisedGram(b), a.Rows);
    }

    /// <inheritdoc />
    public double MutualInformation(SampleMatrix a, int[] labels)
    {
        var groups = LabelGroups.Of(labels, a.Rows);
        var gram = NormalisedGram(a);
        var labelGram = LabelGram(labels);
        for (var i = 0; i < gram.Length; i++)
        {
            labelGram[i] *= gram[i];
        }

        // The delta kernel / n has eigenvalues n_c / n (one per class), so S(B) needs no decomposition.
        var hLabels = EntropyOfEigenvalues([.. groups.RowsOfClass.Select(rows => (double)rows.Length / a.Rows)]);
        var hJoint = EntropyOfGram(labelGram, a.Rows);
        return EntropyOfGram(gram, a.Rows) + hLabels - hJoint;
    }

    /// <summary>Renyi entropy of discrete <paramref name="labels"/> through the delta kernel, in bits.</summary>
    public double Entropy(int[] labels) => EntropyOfGram(LabelGram(labels), labels.Length);

    /// <summary>The kernel width used for <paramref name="x"/>: the configured one or the automatic rule.</summary>
    public double SigmaFor(SampleMatrix x)
    {
        if (Options.Sigma is { } sigma)
        {
            return sigma;
        }

        var n = x.Rows;
        var d = x.Cols;
        var sums = new double[d];
        var sumSquares = new double[d];
        for (var i = 0; i < n; i++)
        {
            var row = x.Row(i);
            for (var c = 0; c < d; c++)
            {
                double value = row[c];
                sums[c] += value;
                sumSquares[c] += value * value;
            }
        }

        var meanVariance = 0.0;
        for (var c = 0; c < d; c++)
        {
            var mean = sums[c] / n;
            meanVariance += Math.Max(0.0, sumSquares[c] / n - mean * mean);
        }

        meanVariance /= d;
        // Constant data: every distance is 0 and K is all ones for any width, so any positive width will do.
        var spread = meanVariance > 0 ? Math.Sqrt(meanVariance) : 1.0;
        return Options.Gamma * spread * Math.Sqrt(d) * Math.Pow(n, -1.0 / (4 + d));
    }

    /// <inheritdoc />
    /// <remarks>Keeps the n x n squared distances of the centred rows; a resample's Gram is read from them.</remarks>
    public PreparedSamples Prepare(SampleMatrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return new Distances(SquaredDistances.Compute(x), x.Rows, x.Cols, Options.Sigma ?? SigmaFor(x));
    }

    /// <inheritdoc />
    public double MutualInformation(PreparedSamples a, PreparedSamples b, int[]? rows)
    {
        var da = Own(a);
        var db = Own(b);
        if (db.Rows != da.Rows) throw new ArgumentException($"Sample counts differ: {da.Rows} vs {db.Rows}.", nameof(b));
        return MutualInformationOfGrams(NormalisedGram(da, rows), NormalisedGram(db, rows), rows?.Length ?? da.Rows);
    }

    /// <inheritdoc />
    public double MutualInformation(PreparedSamples a, int[] labels, int[]? rows)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var da = Own(a);
        if (labels.Length != da.Rows) throw new ArgumentException($"Label count {labels.Length} differs from sample count {da.Rows}.", nameof(labels));
        var selected = rows is null ? labels : [.. rows.Select(r => labels[r])];
        int n = selected.Length;
        var groups = LabelGroups.Of(selected, n);
        // All rows in order: S(A) is the same for every relabelling (the permutation null), so it is computed once.
        double hA;
        double[] gram;
        if (rows is null)
        {
            gram = NormalisedGram(da, null);
            hA = da.Entropy ??= EntropyOfGram((double[])gram.Clone(), n);
        }
        else
        {
            gram = NormalisedGram(da, rows);
            hA = EntropyOfGram((double[])gram.Clone(), n);
        }

        var joint = LabelGram(selected);
        for (var i = 0; i < joint.Length; i++)
        {
            joint[i] *= gram[i];
        }

        var hLabels = EntropyOfEigenvalues([.. groups.RowsOfClass.Select(r => (double)r.Length / n)]);
        return hA + hLabels - EntropyOfGram(joint, n);
    }

    private static Distances Own(PreparedSamples samples) => samples as Distances
        ?? throw new ArgumentException("The samples were prepared by another estimator.", nameof(samples));

    /// <summary>
    /// The unit-diagonal Gram of the selected rows from the prepared distances. The automatic width uses the resample's
    /// mean per-feature variance, which the distances give exactly: sum_ij ||x_i - x_j||^2 = 2 n^2 d * mean variance.
    /// </summary>
    private double[] NormalisedGram(Distances prepared, int[]? rows)
    {
        int n = rows?.Length ?? prepared.Rows, all = prepared.Rows;
        var gram = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            int ri = rows?[i] ?? i;
            for (var j = 0; j < n; j++)
            {
                gram[i * n + j] = prepared.Squared[ri * all + (rows?[j] ?? j)];
            }
        }

        double sigma;
        if (rows is null || Options.Sigma is not null)
        {
            sigma = prepared.Sigma;
        }
        else
        {
            var total = 0.0;
            foreach (var value in gram)
            {
                total += value;
            }

            var meanVariance = total / (2.0 * n * n * prepared.Columns);
            var spread = meanVariance > 0 ? Math.Sqrt(meanVariance) : 1.0;
            sigma = Options.Gamma * spread * Math.Sqrt(prepared.Columns) * Math.Pow(n, -1.0 / (4 + prepared.Columns));
        }

        var scale = -1.0 / (2.0 * sigma * sigma);
        for (var i = 0; i < gram.Length; i++)
        {
            gram[i] = Math.Exp(gram[i] * scale);
        }

        return gram;
    }

    /// <summary>Squared distances of all rows, the width for all rows, and S(A) once it is known.</summary>
    private sealed class Distances(double[] squared, int rows, int columns, double sigma) : PreparedSamples(rows)
    {
        public double[] Squared { get; } = squared;

        public int Columns { get; } = columns;

        public double Sigma { get; } = sigma;

        public double? Entropy { get; set; }
    }

    private double MutualInformationOfGrams(double[] a, double[] b, int n)
    {
        var joint = new double[n * n];
        for (var i = 0; i < joint.Length; i++)
        {
            joint[i] = a[i] * b[i];
        }

        // Entropies overwrite their input, so the joint is formed first.
        var hJoint = EntropyOfGram(joint, n);
        return EntropyOfGram(a, n) + EntropyOfGram(b, n) - hJoint;
    }

    /// <summary>Gaussian Gram matrix of the rows of <paramref name="x"/>, unit diagonal.</summary>
    private double[] NormalisedGram(SampleMatrix x)
    {
        var sigma = SigmaFor(x);
        var gram = SquaredDistances.Compute(x);
        var scale = -1.0 / (2.0 * sigma * sigma);
        for (var i = 0; i < gram.Length; i++)
        {
            gram[i] = Math.Exp(gram[i] * scale);
        }

        return gram;
    }

    private static double[] LabelGram(int[] labels)
    {
        var n = labels.Length;
        var gram = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                gram[i * n + j] = labels[i] == labels[j] ? 1.0 : 0.0;
            }
        }

        return gram;
    }

    /// <summary>S_alpha of gram / tr(gram); overwrites <paramref name="gram"/>.</summary>
    private double EntropyOfGram(double[] gram, int n)
    {
        var trace = 0.0;
        for (var i = 0; i < n; i++)
        {
            trace += gram[i * n + i];
        }

        for (var i = 0; i < gram.Length; i++)
        {
            gram[i] /= trace;
        }

        return EntropyOfEigenvalues(SymmetricEigenvalues.Compute(gram, n));
    }

    /// <summary>S_alpha from the eigenvalues of a unit-trace matrix; negative round-off eigenvalues count as 0.</summary>
    private double EntropyOfEigenvalues(double[] eigenvalues)
    {
        var alpha = Options.Alpha;
        if (alpha == 1.0)
        {
            var shannon = 0.0;
            foreach (var lambda in eigenvalues)
            {
                if (lambda > 0)
                {
                    shannon -= lambda * Math.Log2(lambda);
                }
            }

            return shannon;
        }

        var sum = 0.0;
        foreach (var lambda in eigenvalues)
        {
            if (lambda > 0)
            {
                sum += Math.Pow(lambda, alpha);
            }
        }

        return Math.Log2(sum) / (1.0 - alpha);
    }
}
