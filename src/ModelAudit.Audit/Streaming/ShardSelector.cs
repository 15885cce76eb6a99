using System.Globalization;
using ModelAudit.Onnx;

namespace ModelAudit.Audit.Streaming;

/// <summary>
/// Shard <see cref="Index"/> of <see cref="Count"/> (1-based, as <c>--shard 2/4</c>): a contiguous run of whole
/// chunks, so that every sample goes through the model in the same chunk as in an unsharded run and its numbers
/// are the same to the last bit.
/// </summary>
/// <param name="Index">1..Count.</param>
/// <param name="Count">Number of shards.</param>
public sealed record ShardSelector(int Index, int Count)
{
    /// <summary>Parses <c>K/N</c> with 1 &lt;= K &lt;= N &lt;= 1000.</summary>
    /// <exception cref="ModelInputException">Not of that form.</exception>
    public static ShardSelector Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int k)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            && n is >= 1 and <= 1000 && k >= 1 && k <= n)
            return new ShardSelector(k, n);
        throw new ModelInputException($"--shard: expected K/N with 1 <= K <= N <= 1000 (for example 2/4), got '{(text.Length > 40 ? text[..40] + "..." : text)}'");
    }

    /// <summary>The samples of this shard: chunks [floor((K-1) C / N), floor(K C / N)) of the C chunks of <paramref name="chunkSize"/> samples.</summary>
    public (int First, int Count) Range(int samples, int chunkSize)
    {
        int chunks = (samples + chunkSize - 1) / chunkSize;
        int firstChunk = (int)((long)(Index - 1) * chunks / Count);
        int endChunk = (int)((long)Index * chunks / Count);
        int first = Math.Min(samples, firstChunk * chunkSize);
        int end = Math.Min(samples, endChunk * chunkSize);
        return (first, end - first);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Index}/{Count}";
}
