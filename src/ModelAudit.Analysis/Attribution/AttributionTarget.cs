namespace ModelAudit.Analysis.Attribution;

/// <summary>
/// The scalar an attribution explains: for each sample i, output[i, target[i]]. The total over a batch
/// is differentiated once, which gives every sample's gradient because samples do not interact.
/// </summary>
public static class AttributionTarget
{
    /// <summary>Repeats per-sample targets for a point-major batch of <paramref name="points"/> points over samples [first, first+count).</summary>
    internal static long[] ForRows(ReadOnlySpan<long> targets, int points, int first, int count)
    {
        var rows = new long[points * count];
        for (int p = 0; p < points; p++)
            targets.Slice(first, count).CopyTo(rows.AsSpan(p * count, count));
        return rows;
    }

    /// <summary>The predicted class (arg max of each row of <paramref name="scores"/>, first on ties).</summary>
    public static long[] Predicted(ReadOnlySpan<float> scores, int classes)
    {
        var result = new long[scores.Length / classes];
        for (int i = 0; i < result.Length; i++)
        {
            var row = scores.Slice(i * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
            result[i] = best;
        }
        return result;
    }
}
