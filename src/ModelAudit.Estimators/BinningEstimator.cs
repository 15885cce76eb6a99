namespace ModelAudit.Estimators;

/// <summary>
/// Plug-in entropy of binned representations (Shwartz-Ziv and Tishby, "Opening the black box of deep neural
/// networks via information", 2017; Saxe et al. ICLR 2018).
/// </summary>
/// <remarks>
/// <para>Each value goes to bin floor((v - lo) / w), clamped to [0, bins - 1], with [lo, hi] from
/// <see cref="BinningOptions.Range"/> and w = (hi - lo) / bins or the given bin size. A sample's vector of bin
/// indices is one symbol (rows are compared exactly, through a hash of the index vector).</para>
/// <para>H(X) = -sum_s p_s log2 p_s over symbol frequencies p_s, in bits;
/// I(A;B) = H(A) + H(B) - H(A,B) with (symbol of A, symbol of B) as the joint symbol; labels are symbols as they are.</para>
/// <para>Defaults: per-matrix min/max range, 30 bins.</para>
/// </remarks>
public sealed class BinningEstimator : IMutualInformationEstimator
{
    /// <summary>Creates the estimator with <paramref name="options"/> (defaults when null).</summary>
    public BinningEstimator(BinningOptions? options = null)
    {
        Options = options ?? new BinningOptions();
        if (Options.EffectiveRange is BinRange.Fixed fixedRange && !(fixedRange.High > fixedRange.Low))
        {
            throw new ArgumentException($"Bin range [{fixedRange.Low}, {fixedRange.High}] is empty.", nameof(options));
        }

        switch (Options.EffectiveWidth)
        {
            case BinWidth.Count count:
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count.Bins);
                break;
            case BinWidth.Size size:
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size.BinSize);
                break;
        }
    }

    /// <summary>The settings in use.</summary>
    public BinningOptions Options { get; }

    /// <inheritdoc />
    public string Name => "binning";

    /// <inheritdoc />
    public double Entropy(SampleMatrix x) => DiscreteEntropy.OfSymbols(Symbols(x));

    /// <inheritdoc />
    public double MutualInformation(SampleMatrix a, SampleMatrix b)
    {
        SampleMatrix.RequireSameRows(b, a.Rows);
        return MutualInformationOfSymbols(Symbols(a), Symbols(b));
    }

    /// <inheritdoc />
    public double MutualInformation(SampleMatrix a, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        SampleMatrix.RequireSameRows(a, labels.Length);
        return MutualInformationOfSymbols(Symbols(a), [.. labels.Select(label => (long)label)]);
    }

    /// <summary>Bin index of every value of <paramref name="x"/>, row-major like the input.</summary>
    internal int[] BinIndices(SampleMatrix x)
    {
        var (low, high) = Options.EffectiveRange switch
        {
            BinRange.Fixed fixedRange => (fixedRange.Low, fixedRange.High),
            _ => MinMax(x.Data),
        };
        var span = high - low;
        var (bins, width) = Options.EffectiveWidth switch
        {
            BinWidth.Count count => (count.Bins, span / count.Bins),
            BinWidth.Size size => (Math.Max(1, (int)Math.Ceiling(span / size.BinSize)), size.BinSize),
            _ => throw new InvalidOperationException("Unknown bin width rule."),
        };

        var indices = new int[x.Data.Length];
        if (!(span > 0))
        {
            // A constant matrix: every value shares bin 0.
            return indices;
        }

        for (var i = 0; i < indices.Length; i++)
        {
            var bin = (int)Math.Floor((x.Data[i] - low) / width);
            indices[i] = Math.Clamp(bin, 0, bins - 1);
        }

        return indices;
    }

    /// <summary>One symbol id per row: rows with identical bin-index vectors share an id (ids by first occurrence).</summary>
    internal long[] Symbols(SampleMatrix x)
    {
        var indices = BinIndices(x);
        var comparer = new RowComparer(indices, x.Cols);
        var ids = new Dictionary<int, long>(comparer);
        var symbols = new long[x.Rows];
        for (var i = 0; i < x.Rows; i++)
        {
            if (!ids.TryGetValue(i, out var id))
            {
                id = ids.Count;
                ids[i] = id;
            }

            symbols[i] = id;
        }

        return symbols;
    }

    private static double MutualInformationOfSymbols(long[] a, long[] b)
    {
        return DiscreteEntropy.OfSymbols(a) + DiscreteEntropy.OfSymbols(b) - JointEntropy(a, b);
    }

    private static double JointEntropy(long[] a, long[] b)
    {
        var counts = new Dictionary<(long, long), int>();
        for (var i = 0; i < a.Length; i++)
        {
            counts[(a[i], b[i])] = counts.GetValueOrDefault((a[i], b[i])) + 1;
        }

        return DiscreteEntropy.OfCounts(counts.Values, a.Length);
    }

    private static (double Low, double High) MinMax(float[] data)
    {
        var low = double.PositiveInfinity;
        var high = double.NegativeInfinity;
        foreach (var value in data)
        {
            low = Math.Min(low, value);
            high = Math.Max(high, value);
        }

        return (low, high);
    }

    /// <summary>Compares rows of a row-major index matrix by content; keys are row numbers.</summary>
    private sealed class RowComparer(int[] indices, int cols) : IEqualityComparer<int>
    {
        public bool Equals(int x, int y) =>
            indices.AsSpan(x * cols, cols).SequenceEqual(indices.AsSpan(y * cols, cols));

        public int GetHashCode(int row)
        {
            var hash = new HashCode();
            hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(indices.AsSpan(row * cols, cols)));
            return hash.ToHashCode();
        }
    }
}
