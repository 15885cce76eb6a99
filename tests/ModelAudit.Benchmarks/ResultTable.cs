namespace ModelAudit.Benchmarks;

/// <summary>A plain-text table with right-aligned columns.</summary>
public sealed class ResultTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells) => _rows.Add(cells);

    public void Write(TextWriter output)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Select(r => i < r.Length ? r[i].Length : 0).DefaultIfEmpty(0).Max())).ToArray();
        output.WriteLine(string.Join(" | ", headers.Select((h, i) => h.PadLeft(widths[i]))));
        output.WriteLine(string.Join("-|-", widths.Select(w => new string('-', w))));
        foreach (string[] row in _rows) output.WriteLine(string.Join(" | ", row.Select((c, i) => c.PadLeft(widths[i]))));
    }
}
