namespace ModelAudit.Estimators;

/// <summary>Plug-in (maximum-likelihood) entropy of symbol counts.</summary>
internal static class DiscreteEntropy
{
    /// <summary>H = -sum_s p_s log2 p_s with p_s = count_s / total, in bits.</summary>
    internal static double OfCounts(IEnumerable<int> counts, int total)
    {
        var h = 0.0;
        foreach (var count in counts)
        {
            if (count > 0)
            {
                var p = (double)count / total;
                h -= p * Math.Log2(p);
            }
        }

        return h;
    }

    /// <summary>Plug-in entropy of a sequence of symbol ids, in bits.</summary>
    internal static double OfSymbols(ReadOnlySpan<long> symbols)
    {
        var counts = new Dictionary<long, int>();
        foreach (var s in symbols)
        {
            counts[s] = counts.GetValueOrDefault(s) + 1;
        }

        return OfCounts(counts.Values, symbols.Length);
    }
}
