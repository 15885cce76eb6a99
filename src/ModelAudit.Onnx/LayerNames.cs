namespace ModelAudit.Onnx;

/// <summary>Suggestions for a mistyped layer name: the closest graph names by edit distance, substring matches first.</summary>
internal static class LayerNames
{
    public static IReadOnlyList<string> ClosestMatches(string name, IEnumerable<string> candidates, int count = 5)
        => [.. candidates
            .Select(c => (Name: c, Score: Score(name, c)))
            .OrderBy(p => p.Score)
            .ThenBy(p => p.Name, StringComparer.Ordinal)
            .Take(count)
            .Select(p => p.Name)];

    private static int Score(string query, string candidate)
    {
        int distance = Levenshtein(query.ToLowerInvariant(), candidate.ToLowerInvariant());
        bool related = candidate.Contains(query, StringComparison.OrdinalIgnoreCase) || query.Contains(candidate, StringComparison.OrdinalIgnoreCase);
        return related ? distance - 1000 : distance;
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
