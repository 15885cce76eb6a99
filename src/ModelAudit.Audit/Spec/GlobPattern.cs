namespace ModelAudit.Audit.Spec;

/// <summary>
/// Layer-name globs of the spec (<c>*</c> any run of characters including <c>/</c>, <c>?</c> one character),
/// matched in O(pattern x name) time without a regular expression: a hostile pattern such as
/// <c>*a*a*a*a*a*a*z</c> against a long layer name cannot backtrack exponentially.
/// </summary>
public static class GlobPattern
{
    /// <summary>Whether <paramref name="pattern"/> contains a wildcard.</summary>
    public static bool IsGlob(string pattern) => pattern.AsSpan().IndexOfAny('*', '?') >= 0;

    /// <summary>Whether the whole of <paramref name="text"/> matches <paramref name="pattern"/> (ordinal).</summary>
    public static bool IsMatch(string pattern, string text)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(text);
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]) && pattern[p] != '*')
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                // Remember the star; first let it match nothing.
                star = p++;
                resume = t;
            }
            else if (star >= 0)
            {
                // Let the last star take one more character and retry from there.
                p = star + 1;
                t = ++resume;
            }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
