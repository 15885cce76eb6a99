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
public sealed class RenyiEstimator : IMutualInformationEstimator
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
