namespace ModelAudit.Estimators;

/// <summary>Rows grouped by class label, classes in ascending label order.</summary>
internal sealed class LabelGroups
{
    private LabelGroups(int[] classes, int[][] rowsOfClass)
    {
        Classes = classes;
        RowsOfClass = rowsOfClass;
    }

    /// <summary>Distinct labels, ascending.</summary>
    internal int[] Classes { get; }

    /// <summary>For each class, the row indices carrying it, ascending.</summary>
    internal int[][] RowsOfClass { get; }

    internal static LabelGroups Of(int[] labels, int expectedRows)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != expectedRows)
        {
            throw new ArgumentException($"Label count {labels.Length} differs from sample count {expectedRows}.", nameof(labels));
        }

        var byLabel = new SortedDictionary<int, List<int>>();
        for (var i = 0; i < labels.Length; i++)
        {
            if (!byLabel.TryGetValue(labels[i], out var rows))
            {
                rows = [];
                byLabel[labels[i]] = rows;
            }

            rows.Add(i);
        }

        return new LabelGroups([.. byLabel.Keys], [.. byLabel.Values.Select(r => r.ToArray())]);
    }
}
